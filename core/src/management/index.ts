export type {
  AlarmClearResult,
  AlarmListView,
  ClusterStatusView,
  NodeStatusView,
  SupervisorControl,
  SwitchoverResult,
} from './types';
export { createTokenFile, readTokenFile, removeTokenFile, tokenFilePath, TOKEN_FILE_NAME } from './token';
export {
  ManagementServer,
  MAX_BODY_BYTES,
  type ManagementAddress,
  type ManagementEmit,
  type ManagementServerOptions,
} from './server';
export {
  errorResponse,
  RouteTable,
  type HttpMethod,
  type ManagementErrorBody,
  type ManagementRequest,
  type ManagementResponse,
  type ManagementRoute,
} from './router';
export { DEFAULT_SWITCHOVER_REASON, MANAGEMENT_API_ACTOR } from './supervisor-routes';
export { DEFAULT_MANAGEMENT_TIMEOUT_MS, ManagementClient, type ManagementClientOptions } from './client';
export { renderStatusTable } from './status-table';
export { alarmRoutes, type AlarmControl } from './alarm-routes';
export { renderAlarmTable } from './alarm-table';
export { isLoopbackHost } from './address';
export {
  certificateFingerprint,
  loadClientTrust,
  loadServerTls,
  type ManagementTlsConfig,
  type ManagementTlsServerMaterial,
  type ManagementTlsTrust,
} from './tls';
export { CONSOLE_CSP, consoleRoutes } from './console-routes';
export { EventFeed, MAX_EVENT_STREAMS, type EventTopic } from './event-feed';
export { operatorRoutes, type HistoryView, type OperatorControl } from './operator-routes';
