import { KamailioRegistrar } from '../kamailio/kamailio';
import { kamailioBinary, kamailioVersion, type CpuUse } from '../machine';
import { skippedResult, type ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';
import { runSteps, throughputResult, throughputSteps, type ServerUnderTest, type StepRecord } from './throughput';

const SERIES = [
  { name: 'kamailio-register-throughput', scenario: 'register.xml' },
  { name: 'kamailio-options-throughput', scenario: 'options.xml' },
];

/** Kamailio's UDP workers: `children=2` in registrar.cfg. */
const WORKERS = 2;

/** Kamailio as the server under test: its load is the mean of its `WORKERS` busiest processes (the UDP workers; timers idle). */
function kamailioServer(kamailio: KamailioRegistrar): ServerUnderTest {
  return {
    kind: 'Kamailio',
    port: kamailio.port,
    cwd: kamailio.dir,
    probes: () => kamailio.pids.map((pid) => ({ label: `kamailio ${pid}`, pid })),
    load: (use: Record<string, CpuUse>) => {
      const busiest = Object.entries(use)
        .filter(([label]) => label.startsWith('kamailio '))
        .map(([, u]) => u)
        .sort((a, b) => b.median - a.median)
        .slice(0, WORKERS);
      const mean = (f: (u: CpuUse) => number) => Math.round((busiest.reduce((a, u) => a + f(u), 0) / WORKERS) * 100) / 100;
      return { share: mean((u) => u.median), who: `its ${WORKERS} UDP workers (mean)`, wait: mean((u) => u.wait) };
    },
  };
}

/**
 * reference: Kamailio (Debian `kamailio`), a registrar with in-memory usrloc
 * and 2 UDP children, under the same SIPp scenarios and rate steps as
 * Switchyard's throughput series, in the same run: the table prints each
 * Switchyard figure beside Kamailio's with the ratio. Without kamailio it is
 * skipped (no ratio); under CI=true that is an error.
 */
export const referenceKamailioScenario: Scenario = {
  name: 'reference',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const bin = kamailioBinary();
    const version = bin ? kamailioVersion() : null;
    if (!bin || !version) {
      const reason = bin ? `${bin} -v did not print a version` : 'kamailio is not installed (Debian: apt-get install kamailio)';
      if (process.env.CI === 'true') throw new Error(`reference: CI must run Kamailio beside Switchyard: ${reason}`);
      return SERIES.map((s) => skippedResult(s.name, 'calls/s', reason));
    }
    const plan = throughputSteps(ctx.quick);
    const results: ScenarioResult[] = [];
    for (const series of SERIES) {
      // A fresh server per series, as Switchyard gets a fresh pair; sized for every step's bindings.
      const kamailio = new KamailioRegistrar(bin, plan.steps.reduce((a, b) => a + b, 0) * plan.seconds);
      let tried: StepRecord[] = [];
      try {
        ctx.progress.update(`${series.name}: starting ${version}`);
        await kamailio.start();
        tried = await runSteps(ctx, series, kamailioServer(kamailio), plan);
      } catch (error) {
        throw new Error(`${series.name}: ${error instanceof Error ? error.message : String(error)}\nkamailio log:\n${kamailio.logTail()}`, { cause: error });
      } finally {
        await kamailio.stop();
      }
      results.push(
        throughputResult(series.name, tried, plan, 'Kamailio', {
          notes: [`${version}, bench/src/kamailio/registrar.cfg: usrloc db_mode 0 (in memory), ${WORKERS} UDP children, -m/-M sized for the run`],
        }),
      );
    }
    return results;
  },
};
