import { LabError } from '../errors';
import { readRecord, recordFile, type LabRecord } from '../registry';
import { labNames, listNamespaces, namespacesOf, type LabNames } from '../topology';
import { requireRoot, requireTool } from '../tools';

/** The CLI's one lab has fixed names, so a person can type `ip netns exec sylab-cl …`. */
export const FIXED_PREFIX = 'sylab';
export const FIXED_NAMES: LabNames = labNames(FIXED_PREFIX);

/** What exists of the fixed lab now: its registry entry and which of its namespaces. */
export interface FixedLabState {
  record: LabRecord | undefined;
  namespaces: string[];
  registryFile: string;
}

export async function fixedLabState(): Promise<FixedLabState> {
  requireRoot();
  requireTool('ip');
  const existing = new Set(await listNamespaces());
  return {
    record: readRecord(FIXED_PREFIX),
    namespaces: namespacesOf(FIXED_NAMES).filter((ns) => existing.has(ns)),
    registryFile: recordFile(FIXED_PREFIX),
  };
}

/** The fixed lab's state; throws `SWY_ERR_LAB_NOT_FOUND` when its switch namespace is missing. */
export async function requireFixedLab(): Promise<FixedLabState> {
  const state = await fixedLabState();
  if (!state.namespaces.includes(FIXED_NAMES.switch)) {
    throw new LabError('SWY_ERR_LAB_NOT_FOUND', `there is no lab ${FIXED_PREFIX} (namespace ${FIXED_NAMES.switch} does not exist)`);
  }
  return state;
}
