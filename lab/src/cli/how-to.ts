import type { Lab } from '../lab';
import type { PlacedNode } from './node-config';
import { FIXED_PREFIX } from './fixed-lab';

/** What `switchyard-lab up` prints once the lab runs: where things are and what to type next. */
export function howTo(lab: Lab, started: { node: PlacedNode; pid: number; logFile: string }[], configFile: string | undefined): string {
  const { h1, h2 } = lab.hosts;
  const config = configFile ?? 'FILE';
  const lines = [
    `Lab ${FIXED_PREFIX} is up (files in ${lab.dir}).`,
    '',
    '  namespace     control (192.0.2.0/24)   SIP (198.51.100.0/24)',
    `  ${h1.ns.padEnd(13)} ${h1.controlIf} ${h1.controlAddress.padEnd(17)} ${h1.sipIf} ${h1.sipAddress}`,
    `  ${h2.ns.padEnd(13)} ${h2.controlIf} ${h2.controlAddress.padEnd(17)} ${h2.sipIf} ${h2.sipAddress}`,
    `  ${lab.client.ns.padEnd(13)} ${lab.client.controlIf} ${lab.client.controlAddresses.join(',').padEnd(17)} ${lab.client.sipIf} ${lab.client.sipAddress}   (etcd, etcdctl, SIPp, the switchyard CLI)`,
    `  ${`${FIXED_PREFIX}-sw`.padEnd(13)} bridges br-ctl and br-sip`,
    '',
    lab.etcdEndpoints.length > 0 ? `etcd: ${lab.etcdEndpoints.join(',')}` : 'etcd: not started',
    ...started.map((s) => `node ${s.node.id} runs in ${lab.hosts[s.node.host].ns} (pid ${s.pid}), log ${s.logFile}`),
    '',
    'Try:',
    `  ip netns exec ${lab.client.ns} npx switchyard status --config ${config}`,
    `  ip netns exec ${lab.client.ns} etcdctl --endpoints=${lab.etcdEndpoints.join(',') || 'URL'} endpoint health`,
    `  ip netns exec ${h1.ns} bash          # a shell on h1`,
    '',
    'Faults:',
    '  switchyard-lab cut h1               # isolate h1 from h2, the client and etcd',
    '  switchyard-lab cut h1 --link ctl    # only its control network (HA link, etcd)',
    '  switchyard-lab restore h1',
    '  switchyard-lab status               # namespaces, addresses, switch ports, processes, etcd health',
    '',
    'Remove everything: switchyard-lab down',
  ];
  return `${lines.join('\n')}\n`;
}
