import { definePlugin, HookStage, type NodeState, type Plugin, type PluginEngine } from '@switchyard/sdk';
import { CONTROL_VIP_EVENTS, ControlVipEvent } from './events';
import { controlVipOptionsSchema, type ControlVipOptions } from './options';
import { splitBrainVerdict, type Verdict } from './rule';

/** Status section key: `switchyard status --json` → `nodes[].controlVipScripts`. */
export const CONTROL_VIP_STATUS_KEY = 'controlVipScripts';

/** What `switchyard status --json` shows of the rule on one node. */
export interface ControlVipStatus {
  arbiterConnected: boolean;
  /** The last split brain this node saw, with the verdict; null if none since start. */
  lastSplitBrain: { peer: string; winner: string; rule: string; at: number } | null;
}

/**
 * Watches the arbiter connection and the peer's heartbeats; while the
 * arbiter is unreachable and both nodes are primary, applies the rule once
 * per episode. The loser steps down on its own (its `roleChange` taps run:
 * `sip-iptakeover-monitoring` removes the VIP with its remove script there).
 */
class SplitBrainRule {
  private episode: Verdict | null = null;
  private last: ControlVipStatus['lastSplitBrain'] = null;

  constructor(private readonly engine: PluginEngine<ControlVipOptions>) {}

  check(peer: NodeState | null): void {
    const { engine } = this;
    const both = peer !== null && peer.role === 'primary' && engine.node.role === 'primary';
    if (!both || engine.arbiter.connected || engine.peer === null) {
      this.episode = null;
      return;
    }
    if (this.episode) return; // already decided for this episode; the loser is on its way to backup
    const verdict = splitBrainVerdict(
      { id: engine.nodeId, term: engine.node.term, priority: engine.node.priority },
      { id: peer.nodeId, term: peer.term, priority: engine.peer.priority },
    );
    this.episode = verdict;
    this.last = { peer: peer.nodeId, winner: verdict.winner, rule: verdict.rule, at: engine.clock.now() };
    const fields = { peer: peer.nodeId, rule: verdict.rule };
    if (verdict.winner === engine.nodeId) {
      engine.events.emit(ControlVipEvent.Staying, fields);
      return;
    }
    engine.events.emit(ControlVipEvent.Yielding, fields);
    void engine.stepDown(`split brain with ${peer.nodeId} while the arbiter is unreachable: ${verdict.rule}`);
  }

  status(): ControlVipStatus {
    return { arbiterConnected: this.engine.arbiter.connected, lastSplitBrain: this.last };
  }
}

/**
 * `control-vip-scripts`: the split-brain rule. When this node's agent cannot
 * reach the arbiter and the HA link shows both nodes primary (after a
 * partition heals, say), exactly one of them switches itself to backup:
 * the higher term stays, then the higher priority, then the lower id. The
 * loser logs 01-50001 and steps down (01-10008), which runs its VIP remove
 * script when `sip-iptakeover-monitoring` is on; the winner logs 01-50002.
 * It only ever demotes.
 */
export const controlVipScriptsPlugin: Plugin<typeof controlVipOptionsSchema> = definePlugin({
  name: 'control-vip-scripts',
  version: '0.1.0',
  options: controlVipOptionsSchema,
  events: CONTROL_VIP_EVENTS,
  apply(engine) {
    const rule = new SplitBrainRule(engine);
    // Before core's own term check on the same heartbeat, so the loser's log says why first.
    engine.hooks.peerState.tap({ name: 'split-brain', stage: HookStage.EARLY }, (peer) => rule.check(peer));
    engine.hooks.arbiterConnection.tap('split-brain', () => rule.check(engine.peer?.state ?? null));
    engine.hooks.statusReport.tap('status', (report) => ({ ...report, [CONTROL_VIP_STATUS_KEY]: rule.status() }));
  },
});
