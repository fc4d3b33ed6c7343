/** The alarm engine (supervisor side), its persistence, and the reaction API plugins implement. */
export { AlarmEngine, alarmId, type AlarmEngineOptions, type AlarmList, type ConfiguredReaction } from './alarm-engine';
export { AlarmStore, ALARMS_FILE_NAME, type AlarmState, type StoredAlarm, type LoadedAlarmState } from './alarm-store';
export { ReactionRunner, type ReactionJob, type ReactionRunnerOptions } from './reaction-runner';
export { defineAlarmReaction, type AlarmReaction, type AlarmReactionContext, type AlarmReactionKind } from './reaction';
