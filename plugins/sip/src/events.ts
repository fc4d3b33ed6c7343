import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of the SIP plugin. 00-04200 is the classic "cannot open the
 * listening port" event operators put alarm conditions on.
 */
export const SipEvent = {
  ListenerBindFailed: '00-04200',
  ListenerBound: '00-04201',
  ListenerRecovered: '00-04202',
  PublicAddressHeld: '00-04203',
  PublicAddressReleased: '00-04204',
  MalformedMessage: '00-04210',
  ContactLimitRefused: '00-04211',
  BindingTableFull: '00-04212',
  AnswerTooLarge: '00-04213',
  TcpConnectionRefused: '00-04214',
  TcpSlowSenderCut: '00-04215',
  ReplicationInSync: '00-04220',
  ReplicationOutOfSync: '00-04221',
  ReplicationSyncFallback: '00-04222',
  ReplicationStaleRefused: '00-04223',
  BindSwitchover: '00-04230',
  BindingsLoaded: '00-04240',
  PersistenceFailed: '00-04241',
} as const;

export const SIP_EVENTS: readonly LogEventDefinition[] = [
  {
    id: SipEvent.ListenerBindFailed,
    level: 'error',
    message: 'Cannot open SIP listening port {address}:{port}/{transport} ({errno}), {reason}; retrying every {retry}s',
  },
  {
    id: SipEvent.PublicAddressHeld,
    level: 'info',
    message: 'SIP public address {address}:{port} (udp+tcp) now served by {node}, primary at term {term} ({how}, {ms} ms after the role)',
    notable: true,
  },
  { id: SipEvent.PublicAddressReleased, level: 'info', message: 'SIP public address {address}:{port} released by {node} ({why})' },
  { id: SipEvent.ListenerBound, level: 'info', message: 'SIP listening on {address}:{port} (udp+tcp)' },
  { id: SipEvent.ListenerRecovered, level: 'info', message: 'SIP listening port {address}:{port} opened after {attempts} failed attempts' },
  { id: SipEvent.MalformedMessage, level: 'warn', message: 'Malformed SIP message from {remote} over {transport} ({code}): {reason}' },
  { id: SipEvent.ReplicationInSync, level: 'info', message: 'Contact replication in sync with the peer' },
  { id: SipEvent.ReplicationOutOfSync, level: 'warn', message: 'Contact replication out of sync with the peer: {reason}' },
  {
    id: SipEvent.ReplicationSyncFallback,
    level: 'warn',
    message: 'Backup did not acknowledge binding within {timeout}s; answering REGISTER without waiting (async)',
  },
  {
    id: SipEvent.ReplicationStaleRefused,
    level: 'warn',
    message: 'Refused {count} replication messages from {peer} at term {term}; this node is at term {current}',
  },
  { id: SipEvent.BindSwitchover, level: 'warn', message: 'Primary cannot open its SIP port; asking for a switchover ({why})' },
  { id: SipEvent.BindingsLoaded, level: 'info', message: 'Loaded {count} unexpired bindings from disk' },
  { id: SipEvent.PersistenceFailed, level: 'error', message: 'Bindings journal error: {error}' },
  {
    id: SipEvent.ContactLimitRefused,
    level: 'warn',
    message: 'REGISTER from {remote} refused (403): {aor} would hold {count} contacts, the limit is {limit} (registrar.maxContactsPerAor)',
  },
  {
    id: SipEvent.BindingTableFull,
    level: 'error',
    message: 'REGISTER from {remote} refused (503): the node holds {count} bindings, the limit is {limit} (registrar.maxBindings)',
  },
  {
    id: SipEvent.AnswerTooLarge,
    level: 'warn',
    message: 'Answer to {method} from {remote} over {transport} would be {bytes} bytes, over the {limit}-byte limit: {action}',
  },
  {
    id: SipEvent.TcpConnectionRefused,
    level: 'warn',
    message: 'SIP TCP connection from {remote} refused: {reason}',
  },
  {
    id: SipEvent.TcpSlowSenderCut,
    level: 'warn',
    message: 'SIP TCP connection from {remote} closed: {reason}',
  },
];
