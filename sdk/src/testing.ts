// The Reflect metadata polyfill first (tsyringe in core needs it), whichever SDK entry loads first.
import 'reflect-metadata';

/**
 * `@switchyard/sdk/testing`: real-process helpers for plugin integration
 * tests (run `switchyard up` from a config, free ports, poll status), next
 * to the in-process {@link createTestNode}.
 */
export * from '@switchyard/core/testing';
export { createTestNode, type TestNode, type TestNodeOptions } from './test-node';
export { createTestPair, type TestPair, type TestPairOptions } from './test-pair';
export { createTestReactionContext, sampleAlarm, type TestReactionContext } from './reaction-context';
export { ManagementClient, type AlarmListView } from '@switchyard/core';
