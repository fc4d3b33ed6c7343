import { ManualClock } from '../src/clock';
import type { NodeState, RoleOrder, SwitchoverVerdict } from '../src/engine/types';
import { EmbeddedArbiter } from '../src/supervisor/embedded-arbiter';

/**
 * A pair of simulated nodes (sip-a priority 100, sip-b 50) that apply the
 * embedded arbiter's orders like the engine does, in virtual time, with
 * `switchTimeout` 1 s. `log` has what the agent was asked, in order
 * (`order <node> <role> t<term>`, `fence <node> for <to>: <reason>`).
 */
export function simulatedPair(opts: { verdict?: SwitchoverVerdict; fence?: boolean; afterIo?: (fn: () => void) => { cancel(): void } } = {}) {
  const clock = new ManualClock();
  const orders: { node: string; order: RoleOrder }[] = [];
  const events: { id: string; fields: Record<string, unknown> }[] = [];
  const log: string[] = [];
  const state: Record<string, NodeState> = {
    'sip-a': { nodeId: 'sip-a', role: 'backup', status: 'starting', term: 0 },
    'sip-b': { nodeId: 'sip-b', role: 'backup', status: 'starting', term: 0 },
  };
  const arbiter = new EmbeddedArbiter({
    nodes: [
      { id: 'sip-a', priority: 100 },
      { id: 'sip-b', priority: 50 },
    ],
    clock,
    switchTimeout: 1,
    startupTimeout: 10,
    ...(opts.fence === undefined ? {} : { fence: opts.fence }),
    ...(opts.afterIo ? { afterIo: opts.afterIo } : {}),
    port: {
      order(node, order) {
        orders.push({ node, order });
        log.push(`order ${node} ${order.role} t${order.term}`);
        if (order.term >= state[node]!.term) state[node] = { ...state[node]!, role: order.role, term: order.term };
      },
      grant: () => undefined, // the embedded arbiter grants no deadline
      consult: async () => opts.verdict,
      emit: (id, fields) => void events.push({ id, fields }),
      fence: (node, reason, to) => void log.push(`fence ${node} for ${to}: ${reason}`),
    },
  });
  const beat = (node: string, patch: Partial<NodeState> = {}) => {
    state[node] = { ...state[node]!, ...patch };
    arbiter.heartbeat(node, state[node]!);
  };
  /** Both nodes heartbeat every 100 ms for `ms`, except those listed as silent and those not alive. */
  const run = async (ms: number, silent: string[] = []) => {
    for (let t = 0; t < ms; t += 100) {
      for (const n of ['sip-a', 'sip-b']) if (!silent.includes(n) && arbiter.nodes().find((x) => x.id === n)?.alive) beat(n);
      await clock.advance(100);
    }
  };
  arbiter.start();
  return { clock, arbiter, orders, events, log, state, beat, run };
}
