export {
  classifySwitchover,
  DEFAULT_HISTORY_SIZE,
  HISTORY_FILE_NAME,
  SwitchoverHistory,
  type SwitchoverActor,
  type SwitchoverCause,
  type SwitchoverEntry,
} from './switchover-history';
export { renderHistoryTable } from './history-table';
