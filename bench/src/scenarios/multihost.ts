import { NODES, SIP, type LabPair, type NodeId } from '@switchyard/lab';
import { waitFor } from '@switchyard/sdk/testing';
import { skippedResult, summarize, withTarget, type ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';
import { FIRST_ELECTION_MS, lastAnswer, openLabPair, PROBE_INTERVAL_MS, PROBE_SECONDS, REJOIN_MS, rolesOf, stopProbe, timingsOf, waitForAnswers, type LabRoles } from './lab-pair';

const ANSWERS_MS = 10_000;
/** How long after the takeover the isolated node is watched for stepping down (it should have before). */
const STEP_DOWN_WAIT_MS = 3_000;

/**
 * Both multi-host scenarios: open the lab pair (or skip), wait for the first
 * election, run `reps` faults, always destroy the lab.
 */
async function inLab(
  name: string,
  unit: string,
  ctx: ScenarioContext,
  body: (pair: LabPair, roles: LabRoles) => Promise<ScenarioResult[]>,
): Promise<ScenarioResult[]> {
  ctx.progress.update(`${name}: building the lab (namespaces, etcd, two agents)`);
  const opened = await openLabPair(name);
  if ('skipped' in opened) return [skippedResult(name, unit, opened.skipped)];
  const { pair } = opened;
  try {
    ctx.progress.update(`${name}: waiting for the first election`);
    return await body(pair, await rolesOf(pair, 0, FIRST_ELECTION_MS));
  } finally {
    ctx.progress.update(`${name}: removing the lab`);
    await pair.destroy();
  }
}

interface CrashRun {
  killed: NodeId;
  /** First 200 from the new primary − last 200 from the old one, at the client. */
  gapMs: number;
  /** First 200 from the new primary − the kill. */
  killToNewMs: number;
}

/**
 * multihost-failover-on-crash: a pair on two lab hosts with a 1-member etcd
 * arbiter; OPTIONS every 10 ms from the client namespace to both SIP
 * addresses; kill -9 of the primary's node process (its agent lives on). The
 * figure is the gap the client sees between the last 200 from the old primary
 * and the first 200 from the new one. Each run waits for the killed node to
 * be back as a running backup, so the primary alternates.
 */
export const multihostCrashScenario: Scenario = {
  name: 'multihost-failover-on-crash',
  usesSipp: false,
  run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const name = 'multihost-failover-on-crash';
    const reps = ctx.quick ? 3 : 10;
    return inLab(name, 'ms', ctx, async (pair, first) => {
      const runs: CrashRun[] = [];
      let roles = first;
      for (let i = 0; i < reps; i++) {
        const { primary: old, backup: next } = roles;
        ctx.progress.update(`${name}: run ${i + 1}/${reps}, kill -9 of ${old}'s node`);
        const probe = pair.probe('client', pair.lab.client.sipAddress, [SIP['sip-a'], SIP['sip-b']], PROBE_INTERVAL_MS, PROBE_SECONDS);
        try {
          await waitForAnswers(probe, Date.now(), { [SIP[old]]: 200, [SIP[next]]: 503 }, ANSWERS_MS, `200 from ${old} and 503 from ${next} at the client`);
          const killedAt = Date.now();
          pair.lab.signal(roles.primaryNodePid, 'SIGKILL');
          const firstNew = await waitFor(
            () => probe.answers.find((a) => a.at >= killedAt && a.target === SIP[next] && a.status === 200),
            ANSWERS_MS,
            `the first 200 from ${next} after kill -9 of ${old}'s node`,
          );
          const lastOld = lastAnswer(probe.answers, (a) => a.target === SIP[old] && a.status === 200 && a.at <= firstNew.at)!;
          runs.push({ killed: old, gapMs: firstNew.at - lastOld.at, killToNewMs: firstNew.at - killedAt });
        } finally {
          await stopProbe(probe);
        }
        ctx.progress.update(`${name}: run ${i + 1}/${reps}, waiting for ${old} back as backup`);
        roles = await rolesOf(pair, roles.term, REJOIN_MS, next);
      }
      const result = summarize(name, 'ms', runs.map((r) => r.gapMs), [
        `two hosts (network namespaces), etcd arbiter (1 member); kill -9 of the primary's node process, its agent alive; gap = first 200 from the new primary - last 200 from the old one, OPTIONS every ${PROBE_INTERVAL_MS} ms from the client namespace; primaries alternate, each run from a settled pair (both in sync)`,
        `kill -> first 200 from the new primary: median ${summarize('', 'ms', runs.map((r) => r.killToNewMs)).median} ms`,
        `the dead node's agent marks its term released and revokes its lease at once; the other agent campaigns without the HA-link hold-off (the gap is the etcd watch, the campaign, the role change and the next probe)`,
      ]);
      return [{ ...withTarget(result, 'median', 200), details: { runs } }];
    });
  },
};

interface HostLossRun {
  cut: NodeId;
  /** First 200 from the new primary − last 200 the client got from the old one before the cut. */
  gapMs: number;
  /** First 200 from the new primary − the start of the cut. */
  cutToNewMs: number;
  /** Last 200 the old primary gave inside its own host − first 200 from the new one (≤ 0: never two primaries). */
  overlapMs: number;
  /** Whether the isolated node was seen answering something other than 200 (it stepped down) before the run ended. */
  steppedDown: boolean;
  /** 200s from the old node (inside its host or at the client) between the restore and it being back as an in-sync backup. */
  servedAfterRestore: number;
  /** The restore to the pair settled again (old node a running, in-sync backup), as seen by polling status. */
  restoreToBackupMs: number;
}

/**
 * multihost-failover-on-host-loss: the same lab; both links of the primary's
 * host are cut. The gap is measured from the client as for a crash, the
 * last 200 of the old primary being the last one before the cut. A second
 * prober inside the cut host, sending to its own SIP address, sees when the
 * isolated primary stops answering 200: that minus the new primary's first
 * 200 is the overlap, which must never be positive.
 */
export const multihostHostLossScenario: Scenario = {
  name: 'multihost-failover-on-host-loss',
  usesSipp: false,
  run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const name = 'multihost-failover-on-host-loss';
    const reps = ctx.quick ? 2 : 5;
    return inLab(name, 'ms', ctx, async (pair, first) => {
      const { leaseTtl } = timingsOf(pair);
      const runs: HostLossRun[] = [];
      let roles = first;
      for (let i = 0; i < reps; i++) {
        const { primary: old, backup: next } = roles;
        const host = NODES[old];
        ctx.progress.update(`${name}: run ${i + 1}/${reps}, cutting ${host} (${old}, the primary)`);
        const outside = pair.probe('client', pair.lab.client.sipAddress, [SIP[old], SIP[next]], PROBE_INTERVAL_MS, PROBE_SECONDS);
        const inside = pair.probe(host, pair.lab.hosts[host].sipAddress, [SIP[old]], PROBE_INTERVAL_MS, PROBE_SECONDS);
        try {
          const since = Date.now();
          await waitForAnswers(outside, since, { [SIP[old]]: 200, [SIP[next]]: 503 }, ANSWERS_MS, `200 from ${old} and 503 from ${next} at the client`);
          await waitForAnswers(inside, since, { [SIP[old]]: 200 }, ANSWERS_MS, `200 from ${old} inside ${host}`);
          const cutAt = Date.now();
          await pair.lab.cutHost(host);
          const cutDoneAt = Date.now();
          const firstNew = await waitFor(
            () => outside.answers.find((a) => a.at >= cutAt && a.target === SIP[next] && a.status === 200),
            (leaseTtl + 1) * 1000 + ANSWERS_MS,
            `the first 200 from ${next} after cutting ${host}`,
          );
          const lastOld = lastAnswer(outside.answers, (a) => a.target === SIP[old] && a.status === 200 && a.at <= cutDoneAt)!;
          // The isolated node should have stepped down already; give it a bounded while, then take its last 200 as it is.
          const stepDown = await waitFor(
            () => inside.answers.find((a) => a.at >= cutAt && a.status !== 200) ?? (Date.now() > firstNew.at + STEP_DOWN_WAIT_MS ? null : undefined),
            ANSWERS_MS,
            `${old} answering inside ${host}`,
          );
          const lastInside = lastAnswer(inside.answers, (a) => a.status === 200)!;
          // The probers keep running through the restore: a 200 from the old node before it is back as backup is a second primary too.
          ctx.progress.update(`${name}: run ${i + 1}/${reps}, restoring ${host}, waiting for ${old} back as backup`);
          const restoredAt = Date.now();
          await pair.lab.restoreHost(host);
          roles = await rolesOf(pair, roles.term, REJOIN_MS, next);
          const after = [...inside.answers, ...outside.answers].filter((a) => a.at >= restoredAt && a.target === SIP[old] && a.status === 200);
          runs.push({
            cut: old,
            gapMs: firstNew.at - lastOld.at,
            cutToNewMs: firstNew.at - cutAt,
            overlapMs: lastInside.at - firstNew.at,
            steppedDown: stepDown !== null,
            servedAfterRestore: after.length,
            restoreToBackupMs: Date.now() - restoredAt,
          });
        } finally {
          await Promise.all([stopProbe(outside), stopProbe(inside)]);
        }
      }
      const limit = (leaseTtl + 0.5) * 1000;
      const gap = summarize(name, 'ms', runs.map((r) => r.gapMs), [
        `both links of the primary's host cut; gap = first 200 from the new primary - last 200 the client got from the old one before the cut (OPTIONS every ${PROBE_INTERVAL_MS} ms from the client namespace); leaseTtl ${leaseTtl} s, target leaseTtl + 0.5 s`,
        `cut -> first 200 from the new primary: median ${summarize('', 'ms', runs.map((r) => r.cutToNewMs)).median} ms`,
        'reference, not measured in this run: keepalived at its defaults (advert_int 1 s; takeover after 3 adverts + skew) takes about 3.3 s on this kind of machine',
      ]);
      const overlapName = 'multihost-host-loss-overlap';
      const overlap = summarize(overlapName, 'ms', runs.map((r) => r.overlapMs), [
        `last 200 the cut primary gave a prober inside its own host (to its own SIP address) - first 200 from the new primary at the client; ≤ 0 means never two primaries (negative: it stopped that long before the takeover)`,
        ...(runs.every((r) => r.steppedDown) ? [] : [`${runs.filter((r) => !r.steppedDown).length} run(s): the isolated node still answered 200 inside its host ${STEP_DOWN_WAIT_MS / 1000} s after the takeover, when the run stopped watching (its overlap is a lower bound)`]),
        `after the restore, until the old node was back as an in-sync backup: ${runs.reduce((n, r) => n + r.servedAfterRestore, 0)} answer(s) 200 from it (both probers)`,
      ]);
      return [
        { ...withTarget(gap, 'max', limit), details: { leaseTtl, runs } },
        withTarget(overlap, 'max', 0),
      ];
    });
  },
};
