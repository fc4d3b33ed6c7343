import { assertSafeScript } from '@switchyard/sdk';
import { VipError } from './errors';
import type { ScriptResult, ScriptRunner } from './script-runner';
import type { VipAddress } from './vip-address';

/** What a VIP script is run for. */
export type VipAction = 'add' | 'remove' | 'announce';

/** Seconds a VIP script may run before it is killed. */
export const SCRIPT_TIMEOUT_SECONDS = 5;

export interface VipScriptsOptions {
  vip: VipAddress;
  /** Custom add/remove commands; default `ip addr add|del`. */
  custom: { add: readonly string[]; remove: readonly string[] } | undefined;
  runner: ScriptRunner;
  /** This node's id, for the scripts' environment. */
  nodeId: string;
}

/**
 * The commands that add, remove and announce the VIP, and their runs. The
 * defaults are `ip addr add|del <vip> dev <if>` and `arping -U -c 1 -I <if>
 * <ip>` (Debian iputils-arping); custom add/remove commands are run as given,
 * after the SDK's script-safety check (again before every run: the file may
 * have changed since assembly), with the VIP in their environment. Never
 * through a shell; every run has a time limit.
 */
export class VipScripts {
  constructor(private readonly options: VipScriptsOptions) {}

  /** The argument vector `action` runs on interface `ifname`; undefined when there is nothing to run (announcing an IPv6 VIP). */
  argv(action: VipAction, ifname: string): readonly string[] | undefined {
    const { vip, custom } = this.options;
    if (action === 'announce') return vip.family === 4 ? ['arping', '-U', '-c', '1', '-I', ifname, vip.address] : undefined;
    if (custom) return custom[action];
    // nodad: an IPv6 VIP is usable at once instead of after duplicate-address detection.
    return ['ip', 'addr', action === 'add' ? 'add' : 'del', vip.cidr, 'dev', ifname, ...(action === 'add' && vip.family === 6 ? ['nodad'] : [])];
  }

  /** The environment of a run: only values from this node's config (no text from the peer). */
  environment(action: VipAction, ifname: string, role: string): Record<string, string> {
    const { vip, nodeId } = this.options;
    return {
      SWITCHYARD_VIP: vip.cidr,
      SWITCHYARD_VIP_ADDRESS: vip.address,
      SWITCHYARD_VIP_PREFIX: String(vip.prefixLength),
      SWITCHYARD_VIP_INTERFACE: ifname,
      SWITCHYARD_VIP_ACTION: action,
      SWITCHYARD_NODE: nodeId,
      SWITCHYARD_ROLE: role,
    };
  }

  /** Runs `action`; a custom command that fails the safety check is not run (a failed result saying why). */
  async run(action: VipAction, ifname: string, role: string): Promise<ScriptResult> {
    const argv = this.argv(action, ifname);
    if (argv === undefined) return { ok: true, code: 0, timedOut: false, reason: '' };
    if (action !== 'announce' && this.options.custom) {
      try {
        assertSafeScript(argv, (problem, file) => new VipError('SWY_ERR_VIP_SCRIPT_UNSAFE', `VIP ${action} script ${file} refused: ${problem}`));
      } catch (error) {
        return { ok: false, code: null, timedOut: false, reason: (error as Error).message };
      }
    }
    return this.options.runner.run(argv, { env: this.environment(action, ifname, role), timeoutMs: SCRIPT_TIMEOUT_SECONDS * 1000 });
  }
}
