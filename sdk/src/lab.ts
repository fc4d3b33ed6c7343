// The Reflect metadata polyfill first (tsyringe in core needs it), whichever SDK entry loads first.
import 'reflect-metadata';

/**
 * `@switchyard/sdk/lab`: the two-host network-namespace lab and its fault
 * injection, for testing a plugin against the faults `npm run chaos` uses
 * (kill -9, SIGSTOP, a host cut off, a NIC down, the VIP removed, etcd
 * members down, the HA link cut, a full disk, a stepped clock) and checking
 * the same invariants (double primaries, outages, lost registrations,
 * leaks). It is `@switchyard/lab`, re-exported: install that package beside
 * the SDK (`npm install --save-dev @switchyard/lab`, an optional peer
 * dependency); the lab needs Linux, root and iproute2/etcd.
 */
export * from '@switchyard/lab';
