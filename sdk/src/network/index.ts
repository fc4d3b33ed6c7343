// The Reflect metadata polyfill first (tsyringe in core needs it), whichever SDK entry loads first.
import 'reflect-metadata';

/**
 * `@switchyard/sdk/network`: the interface watcher that NIC-monitoring
 * plugins share. Given an address, it finds the interface that carries it
 * and reports `{ ok, interface, failure, reason }`: link down, carrier
 * lost, or address gone. Event-driven (`ip -json monitor link address`)
 * with a periodic re-check as a safety net.
 */
export { InterfaceWatcher, type InterfaceWatcherOptions, type NicStateListener } from './interface-watcher';
export { judgeAddress, parseIpAddrShow, sameNicState, type IpLink, type NicFailure, type NicState } from './nic-state';
export { canonicalAddress, isUnspecified } from './ip-address';
export type { InterfaceSource, InterfaceFeed, InterfaceFeedListener } from './interface-source';
export { Iproute2Interfaces, type Iproute2Options } from './iproute2';
export { ManualInterfaces } from './manual-interfaces';
export { ChildMonitor, type ChildMonitorOptions } from './child-monitor';
export { LineReader } from './line-reader';
export { NETWORK_ERROR_CODES, NetworkError, type NetworkErrorCode } from './errors';
export { NicMonitor, type NicMonitorSpec, type NicEventIds, type NicStatus } from './nic-monitor';
