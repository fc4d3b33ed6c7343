import fs from 'node:fs';
import { isLabError, LabPair, nodePid, type NodeId, type Probe, type ProbeAnswer } from '@switchyard/lab';
import { waitFor } from '@switchyard/sdk/testing';

/** The OPTIONS period of every lab prober, as in the single-host failover scenarios. */
export const PROBE_INTERVAL_MS = 10;
/** A prober's own bound (it exits by itself after this); each run stops it sooner. */
export const PROBE_SECONDS = 60;
/** How long the first election of a fresh lab pair may take. */
export const FIRST_ELECTION_MS = 30_000;
/** A killed node is restarted (0.2 s delay) and rejoins as backup; a restored host's ARP retries once a second. */
export const REJOIN_MS = 30_000;


/** What the scenario needs to know of the pair's roles before a fault. */
export interface LabRoles {
  term: number;
  primary: NodeId;
  backup: NodeId;
  /** The primary's node process (not its agent). */
  primaryNodePid: number;
}

/**
 * A started two-host pair in the network-namespace lab (1 etcd member), or
 * why it cannot run here. Missing root or a lab tool is a skip on a
 * developer's machine and an error under CI=true, where every scenario must run.
 */
export async function openLabPair(scenario: string): Promise<{ pair: LabPair } | { skipped: string }> {
  let pair: LabPair;
  try {
    pair = await LabPair.create({ etcdMembers: 1 });
  } catch (error) {
    if (isLabError(error, 'SWY_ERR_LAB_NOT_ROOT') || isLabError(error, 'SWY_ERR_LAB_TOOL_MISSING')) {
      const reason = `${error.code}: ${error.message}. ${error.remedy}`;
      if (process.env.CI === 'true') throw new Error(`${scenario} needs the network-namespace lab, and CI must run it: ${reason}`, { cause: error });
      return { skipped: reason };
    }
    throw error;
  }
  try {
    pair.startAgent('sip-a');
    pair.startAgent('sip-b');
    return { pair };
  } catch (error) {
    await pair.destroy();
    throw error;
  }
}

/** The timings of the pair's config that bound its failover figures. */
export interface LabTimings {
  /** arbiter.leaseTtl, seconds. */
  leaseTtl: number;
}

/** {@link LabTimings} from the config the lab wrote. */
export function timingsOf(pair: LabPair): LabTimings {
  const config = JSON.parse(fs.readFileSync(pair.config, 'utf8')) as {
    arbiter?: { leaseTtl?: unknown };
  };
  const { leaseTtl } = config.arbiter ?? {};
  if (typeof leaseTtl !== 'number') throw new Error(`${pair.config} lacks arbiter.leaseTtl`);
  return { leaseTtl };
}

interface SipSection {
  listening?: boolean;
  replication?: { inSync?: boolean };
}

/**
 * Waits for a settled pair: a running primary (optionally `primary`) and a
 * running backup at a term above `minTerm`, both listening for SIP and in
 * sync with each other (so the HA link between them is up: a fault then
 * always meets the same steady state). Returns the roles and the primary's node pid.
 */
export async function rolesOf(pair: LabPair, minTerm: number, timeoutMs: number, primary?: NodeId): Promise<LabRoles> {
  const deadline = Date.now() + timeoutMs;
  const r = await pair.waitForRoles(minTerm, timeoutMs, primary);
  const term = r.view.arbiter.term;
  const view = await waitFor(
    async () => {
      const v = await pair.status();
      const settled =
        v?.arbiter.term === term &&
        v.arbiter.primary === r.primary.id &&
        v.nodes.every((n) => n.status === 'running' && n.term === term && (n.sip as SipSection | undefined)?.listening && (n.sip as SipSection).replication?.inSync);
      return settled ? v : undefined;
    },
    Math.max(0, deadline - Date.now()),
    `${r.primary.id} and ${r.backup.id} listening and in sync at term ${term}`,
  );
  const pid = nodePid(view, r.primary.id);
  // The figure is about the node process dying while its agent lives on: never signal the agent.
  if (pid === pair.agents.get(r.primary.id)?.pid) throw new Error(`status gave the agent's pid ${pid} as ${r.primary.id}'s node pid`);
  return { term, primary: r.primary.id, backup: r.backup.id, primaryNodePid: pid };
}

/** Waits until, since `since`, each target has answered with the status given (e.g. 200 from the primary, 503 from the backup). */
export async function waitForAnswers(probe: Probe, since: number, expected: Record<string, number>, timeoutMs: number, what: string): Promise<void> {
  await waitFor(
    () => (Object.entries(expected).every(([target, status]) => probe.answers.some((a) => a.at >= since && a.target === target && a.status === status)) ? true : undefined),
    timeoutMs,
    what,
  );
}

/** The last answer matching `match`, or undefined. */
export function lastAnswer(answers: readonly ProbeAnswer[], match: (a: ProbeAnswer) => boolean): ProbeAnswer | undefined {
  for (let i = answers.length - 1; i >= 0; i--) if (match(answers[i]!)) return answers[i];
  return undefined;
}

/** Stops a prober (its whole process group) and waits for it to exit. */
export async function stopProbe(probe: Probe): Promise<void> {
  probe.proc.kill('SIGKILL');
  await probe.proc.exited;
}
