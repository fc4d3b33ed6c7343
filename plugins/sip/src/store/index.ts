/**
 * The contact store: bindings with expiry on the injected clock, their
 * on-disk journal, and their replication to the peer node.
 */
export { isBinding, isBindingChange, type Binding, type BindingChange, type BindingSource } from './binding';
export { CODEC_VERSION, decodeChange, encodeChange } from './binding-codec';
export { ContactStore, type ChangeOrigin, type StoreChangeListener } from './contact-store';
export {
  BindingJournal,
  JOURNAL_LOG_FILE,
  JOURNAL_SNAPSHOT_FILE,
  JOURNAL_SNAPSHOT_FILE_V1,
  APPEND_CHUNK_LINES,
  type BindingJournalOptions,
  type JournalStats,
} from './journal';
export { JournalError, JOURNAL_ERROR_CODES, type JournalErrorCode } from './journal-error';
export { BindingReplicator } from './replication';
export type {
  BindingReplicatorOptions,
  ReplicationEvents,
  ReplicationMode,
  ReplicationRole,
  ReplicationStatus,
} from './replication-options';
export type { ReplicationOutcome } from './ack-tracker';
export { BINDINGS_CHANNEL, REPLICATION_VERSION_ERROR, type ReplicationMessage, type ReplicationSnapshot } from './replication-protocol';
