import type { LogEventDefinition } from './catalogue';
import { LOG_SUPPRESSED_EVENT } from '../logging/log-events';

/**
 * Core's log events. Ids in `01-1xxxx` belong to core; first-party SIP plugins
 * use the classic `00-xxxxx` ids; third parties pick their own prefix.
 */
export const CoreEvent = {
  StatusChanged: '01-10001',
  RoleChanged: '01-10002',
  StaleOrderRefused: '01-10003',
  NodeStarted: '01-10004',
  NodeStopped: '01-10005',
  GrantLapsed: '01-10006',
  HigherTermSeen: '01-10007',
  PrimaryYielded: '01-10008',
  Switchover: '01-10010',
  SwitchoverVetoed: '01-10011',
  SwitchoverRequested: '01-10012',
  SwitchoverImpossible: '01-10013',
  RolesAssigned: '01-10014',
  HaLinkUp: '01-10020',
  HaLinkDown: '01-10021',
  HaLinkAuthFailed: '01-10022',
  HaLinkPeerDropped: '01-10023',
  HaLinkCatchUp: '01-10024',
  PluginHookFailed: '01-10030',
  PluginLoaded: '01-10031',
  MonitorFailed: '01-10032',
  MonitorRecovered: '01-10033',
  ProcessExiting: '01-10039',
  ProcessExited: '01-10040',
  ProcessRestarting: '01-10041',
  HeartbeatsMissed: '01-10042',
  ProcessSpawned: '01-10043',
  HeartbeatsResumed: '01-10044',
  ProcessStopped: '01-10045',
  SupervisorLost: '01-10046',
  LoopBlocked: '01-10047',
  NodeFenced: '01-10048',
  PrimarySocketUnbound: '01-10049',
  ManagementListening: '01-10050',
  ManagementUnauthorized: '01-10051',
  SupervisorStarted: '01-10060',
  SupervisorStopping: '01-10061',
  ArbiterStalled: '01-10062',
  AlarmRaisedError: '01-10070',
  AlarmRaisedWarn: '01-10071',
  AlarmRaisedInfo: '01-10072',
  AlarmCleared: '01-10073',
  AlarmReactionRan: '01-10074',
  AlarmReactionFailed: '01-10075',
  AlarmReactionTimedOut: '01-10076',
  AlarmStoreFailed: '01-10077',
  AlarmsRestored: '01-10078',
  LogSuppressed: '01-10080',
} as const;

export const CORE_EVENTS: readonly LogEventDefinition[] = [
  { id: CoreEvent.StatusChanged, level: 'info', message: 'Node {node} status {from} -> {to}' },
  { id: CoreEvent.RoleChanged, level: 'info', message: 'Node {node} role {from} -> {to} (term {term}): {reason}' },
  { id: CoreEvent.StaleOrderRefused, level: 'warn', message: 'Node {node} refused a {role} order from term {orderTerm}; current term is {term}' },
  { id: CoreEvent.NodeStarted, level: 'info', message: 'Node {node} started (pid {pid})' },
  { id: CoreEvent.NodeStopped, level: 'info', message: 'Node {node} stopped' },
  {
    id: CoreEvent.GrantLapsed,
    level: 'error',
    message: 'Node {node} stops serving as primary (term {term}): the arbiter\'s grant lapsed {late} ms ago ({why}); it answers like a backup until the arbiter confirms it',
  },
  { id: CoreEvent.HigherTermSeen, level: 'warn', message: 'Node {node} saw term {seen} from {peer}, newer than its term {term}: {action}' },
  { id: CoreEvent.PrimaryYielded, level: 'warn', message: 'Node {node} gave up the primary role on its own ({by}): {reason}' },
  { id: CoreEvent.Switchover, level: 'warn', message: 'Switchover: {to} is primary, {from} is backup (term {term}): {reason}' },
  { id: CoreEvent.SwitchoverVetoed, level: 'warn', message: 'Switchover away from {from} vetoed by {by}: {reason}' },
  { id: CoreEvent.SwitchoverRequested, level: 'info', message: 'Switchover requested by {by}: {reason}' },
  { id: CoreEvent.SwitchoverImpossible, level: 'error', message: 'Switchover away from {from} impossible: {reason}' },
  { id: CoreEvent.RolesAssigned, level: 'info', message: 'Initial roles: {primary} primary, {backup} backup (term {term})' },
  { id: CoreEvent.HaLinkUp, level: 'info', message: 'HA link to {peer} up ({direction})' },
  { id: CoreEvent.HaLinkDown, level: 'warn', message: 'HA link to {peer} down: {reason}' },
  { id: CoreEvent.HaLinkAuthFailed, level: 'error', message: 'HA link peer {remote} failed authentication: {reason}' },
  { id: CoreEvent.HaLinkPeerDropped, level: 'warn', message: 'HA link peer {remote} dropped ({code}): {reason}' },
  { id: CoreEvent.HaLinkCatchUp, level: 'info', message: 'HA channel {channel} caught up from {peer} by {mode} ({count} messages)' },
  { id: CoreEvent.PluginHookFailed, level: 'error', message: 'Plugin {plugin} failed in hook {hook}: {error}' },
  { id: CoreEvent.PluginLoaded, level: 'info', message: 'Plugin {plugin}@{version} applied' },
  { id: CoreEvent.MonitorFailed, level: 'warn', message: 'Monitor {monitor} failed: {reason}' },
  { id: CoreEvent.MonitorRecovered, level: 'info', message: 'Monitor {monitor} ok again' },
  {
    id: CoreEvent.ProcessExiting,
    level: 'warn',
    message: 'Node {node} process {pid} is exiting ({reason}); its role goes now, before the exit is reported',
  },
  { id: CoreEvent.ProcessExited, level: 'warn', message: 'Node {node} process {pid} exited ({reason})' },
  { id: CoreEvent.ProcessStopped, level: 'info', message: 'Node {node} process {pid} stopped ({reason})' },
  {
    id: CoreEvent.SupervisorLost,
    level: 'error',
    message: 'Node {node} (pid {pid}) lost its supervisor (IPC channel closed); stopping cleanly — run switchyard under systemd (Restart=always) so it comes back',
  },
  { id: CoreEvent.ProcessRestarting, level: 'info', message: 'Restarting node {node} as backup in {delay}s (attempt {attempt})' },
  { id: CoreEvent.HeartbeatsMissed, level: 'warn', message: 'Node {node} (pid {pid}) missed heartbeats for {silence}s; treating it as down' },
  {
    id: CoreEvent.LoopBlocked,
    level: 'warn',
    message: 'Node {node} event loop was blocked for {ms} ms ({count} slow turns since the last report); {budget} ms without a heartbeat counts as down. Slowest work: {culprit}',
  },
  {
    id: CoreEvent.NodeFenced,
    level: 'warn',
    message: 'Node {node} (pid {pid}) fenced: killed with SIGKILL so that {to} can take over as primary ({reason})',
  },
  {
    id: CoreEvent.PrimarySocketUnbound,
    level: 'warn',
    message: 'Agent could not bind primary socket {name} {address}:{port}/{transport} ({errno}); the primary binds it itself when it takes the role',
  },
  { id: CoreEvent.ProcessSpawned, level: 'info', message: 'Node {node} process started (pid {pid})' },
  { id: CoreEvent.HeartbeatsResumed, level: 'info', message: 'Node {node} (pid {pid}) heartbeats resumed' },
  { id: CoreEvent.ManagementListening, level: 'info', message: 'Management API listening on {scheme}://{host}:{port} (token required for {auth})' },
  { id: CoreEvent.ManagementUnauthorized, level: 'warn', message: 'Management API refused {method} {path} from {remote}: {reason}' },
  { id: CoreEvent.SupervisorStarted, level: 'info', message: 'Supervisor for cluster {cluster} started (pid {pid})' },
  { id: CoreEvent.SupervisorStopping, level: 'info', message: 'Supervisor stopping ({reason})' },
  {
    id: CoreEvent.ArbiterStalled,
    level: 'warn',
    message: 'The arbiter looked at the heartbeats {late} ms late (this process did not run); that time is not counted as the nodes\' silence',
  },
  { id: CoreEvent.AlarmRaisedError, level: 'error', message: 'Alarm {alarm} raised ({severity}) by {event} on {node}: {text}' },
  { id: CoreEvent.AlarmRaisedWarn, level: 'warn', message: 'Alarm {alarm} raised ({severity}) by {event} on {node}: {text}' },
  { id: CoreEvent.AlarmRaisedInfo, level: 'info', message: 'Alarm {alarm} raised ({severity}) by {event} on {node}: {text}' },
  { id: CoreEvent.AlarmCleared, level: 'info', message: 'Alarm {alarm} cleared ({reason} by {by}) after {count} detections' },
  { id: CoreEvent.AlarmReactionRan, level: 'info', message: 'Alarm reaction {reaction} ({kind}) ran for {alarm} {change} in {ms} ms' },
  { id: CoreEvent.AlarmReactionFailed, level: 'error', message: 'Alarm reaction {reaction} ({kind}) failed for {alarm} {change}: {error}' },
  {
    id: CoreEvent.AlarmReactionTimedOut,
    level: 'error',
    message: 'Alarm reaction {reaction} ({kind}) did not finish for {alarm} {change} within {timeout}s; aborted',
  },
  { id: CoreEvent.AlarmStoreFailed, level: 'error', message: 'Alarm state file {file}: {error}' },
  { id: CoreEvent.AlarmsRestored, level: 'info', message: 'Alarms restored from {file}: {active} active, {cleared} recently cleared' },
  // Written by the log sink itself when the rate limit held lines back (logging/log-events.ts).
  { ...LOG_SUPPRESSED_EVENT, id: CoreEvent.LogSuppressed },
];

/**
 * Events written by the log sink itself, never emitted through an engine:
 * no alarm condition can see them, so validation refuses one on them.
 */
export const LOG_ONLY_EVENTS: ReadonlySet<string> = new Set([CoreEvent.LogSuppressed]);

/** The raise event of an alarm of this severity: critical and major → error, minor → warn, info → info. */
export function alarmRaisedEvent(severity: 'critical' | 'major' | 'minor' | 'info'): string {
  if (severity === 'minor') return CoreEvent.AlarmRaisedWarn;
  if (severity === 'info') return CoreEvent.AlarmRaisedInfo;
  return CoreEvent.AlarmRaisedError;
}
