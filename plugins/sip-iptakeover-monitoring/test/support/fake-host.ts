import { ManualInterfaces } from '@switchyard/sdk/network';
import type { ScriptResult, ScriptRunner } from '../../src/index';

/** One script run the plugin asked for. */
export interface Run {
  argv: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
}

/**
 * A host in virtual time: its address table (`ManualInterfaces`: ctl0 and
 * sip0 with the node's SIP address) and a script runner that records every
 * run and does what `ip addr add|del` (or a custom script, from its
 * environment) would do to the table. `failing`
 * makes the runs of one kind fail (exit code 2).
 */
export class FakeHost implements ScriptRunner {
  readonly nics: ManualInterfaces;
  readonly runs: Run[] = [];
  /** Commands (argv[0] plus the `ip addr` verb, e.g. `ip addr add`, or a custom script's path) that fail. */
  readonly failing = new Set<string>();
  private readonly addresses = new Map<string, string[]>();

  constructor(sipAddress = '198.51.100.1') {
    this.addresses.set('ctl0', ['192.0.2.1']);
    this.addresses.set('sip0', [sipAddress]);
    this.nics = new ManualInterfaces([...this.addresses].map(([name, list]) => ManualInterfaces.link(name, ...list)));
  }

  /** Adds an address by hand (`ip addr add`), as an operator would. */
  add(ifname: string, address: string): void {
    this.addresses.set(ifname, [...(this.addresses.get(ifname) ?? []), address]);
    this.nics.update(ifname, { addresses: this.addresses.get(ifname)! });
  }

  /** Deletes an address by hand (`ip addr del`). */
  remove(ifname: string, address: string): void {
    this.addresses.set(ifname, (this.addresses.get(ifname) ?? []).filter((a) => a !== address));
    this.nics.update(ifname, { addresses: this.addresses.get(ifname)! });
  }

  has(address: string): boolean {
    return [...this.addresses.values()].some((list) => list.includes(address));
  }

  /** The runs as command lines, for assertions. */
  commands(): string[] {
    return this.runs.map((r) => r.argv.join(' '));
  }

  run(argv: readonly string[], options: { env: Record<string, string>; timeoutMs: number }): Promise<ScriptResult> {
    this.runs.push({ argv: [...argv], ...options });
    const verb = argv[0] === 'ip' ? argv.slice(0, 3).join(' ') : argv[0]!;
    if (this.failing.has(verb)) return Promise.resolve({ ok: false, code: 2, timedOut: false, reason: 'exit code 2: RTNETLINK answers: Operation not permitted' });
    if (verb === 'ip addr add') this.add(argv[5]!, argv[3]!.split('/')[0]!);
    if (verb === 'ip addr del') this.remove(argv[5]!, argv[3]!.split('/')[0]!);
    // A custom script that works: it does what its environment asks.
    if (argv[0]!.startsWith('/') && options.env.SWITCHYARD_VIP_ACTION === 'add') this.add(options.env.SWITCHYARD_VIP_INTERFACE!, options.env.SWITCHYARD_VIP_ADDRESS!);
    if (argv[0]!.startsWith('/') && options.env.SWITCHYARD_VIP_ACTION === 'remove') this.remove(options.env.SWITCHYARD_VIP_INTERFACE!, options.env.SWITCHYARD_VIP_ADDRESS!);
    return Promise.resolve({ ok: true, code: 0, timedOut: false, reason: '' });
  }
}
