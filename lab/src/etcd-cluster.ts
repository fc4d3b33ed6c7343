import { waitFor } from '@switchyard/core/testing';
import { withDeadline } from './deadline';
import { ETCDCTL_ENV, etcdArgs, etcdHealthArgs, logTail, type EtcdMemberPlan } from './etcd';
import { LabError } from './errors';
import type { LabProcess, LabSpawnOptions } from './processes';
import { requireTool } from './tools';

/** What the cluster needs of its lab: starting processes and bounded runs in the client namespace. */
export interface EtcdHost {
  spawn(argv: readonly string[], opts: LabSpawnOptions): LabProcess;
  run(argv: readonly string[], opts: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  log(line: string): void;
}

const STOP_TIMEOUT_MS = 10_000;

/** The lab's etcd members: start, wait until healthy, stop, kill, restart on the same data. */
export class EtcdCluster {
  private readonly running = new Map<number, LabProcess>();

  constructor(
    private readonly plan: readonly EtcdMemberPlan[],
    private readonly clusterToken: string,
    private readonly host: EtcdHost,
    private readonly healthTimeoutMs: number,
  ) {}

  /** Starts every member and waits until all are healthy. */
  async startAll(): Promise<void> {
    for (const member of this.plan) this.launch(member);
    await this.waitHealthy(this.plan);
    this.host.log(`etcd healthy at ${this.plan.map((m) => m.clientUrl).join(', ')}`);
  }

  /** The member's process while it runs. */
  process(index: number): LabProcess | undefined {
    this.member(index);
    const proc = this.running.get(index);
    return proc?.running ? proc : undefined;
  }

  async stop(index: number): Promise<void> {
    const proc = this.process(index);
    if (proc === undefined) return;
    proc.kill('SIGTERM');
    if ((await withDeadline(proc.exited, STOP_TIMEOUT_MS)) === undefined) {
      this.host.log(`etcd m${index} ignored SIGTERM for ${STOP_TIMEOUT_MS} ms; killing it`);
      proc.kill('SIGKILL');
      await proc.exited;
    }
  }

  async kill(index: number): Promise<void> {
    const proc = this.process(index);
    if (proc === undefined) return;
    proc.kill('SIGKILL');
    await proc.exited;
  }

  async start(index: number): Promise<void> {
    const member = this.member(index);
    if (this.process(index) === undefined) this.launch(member);
    await this.waitHealthy([member]);
  }

  private member(index: number): EtcdMemberPlan {
    const member = this.plan[index];
    if (member === undefined) {
      throw new LabError('SWY_ERR_LAB_ETCD_MEMBER', `the lab has ${this.plan.length} etcd member(s); there is no member ${index}`);
    }
    return member;
  }

  private launch(member: EtcdMemberPlan): void {
    const argv = [requireTool('etcd'), ...etcdArgs(member, this.plan, this.clusterToken)];
    this.running.set(member.index, this.host.spawn(argv, { logFile: member.logFile, label: `etcd ${member.name}` }));
  }

  /** Polls `etcdctl endpoint health` until it passes; fails at once, with the log tail, if a member exits. */
  private async waitHealthy(members: readonly EtcdMemberPlan[]): Promise<void> {
    const argv = etcdHealthArgs(requireTool('etcdctl'), members.map((m) => m.clientUrl));
    let said = '';
    const failure = (why: string, member: EtcdMemberPlan) =>
      new LabError('SWY_ERR_LAB_ETCD_UNHEALTHY', `etcd ${member.name} ${why}; last lines of ${member.logFile}:\n${logTail(member.logFile)}`);
    const outcome = await waitFor(
      async () => {
        const dead = members.find((m) => !this.running.get(m.index)?.running);
        if (dead) return failure('exited before it became healthy', dead);
        const result = await this.host.run(argv, { timeoutMs: 5_000, env: ETCDCTL_ENV });
        said = `${result.stdout}\n${result.stderr}`.trim();
        return result.code === 0 ? 'healthy' : undefined;
      },
      this.healthTimeoutMs,
      'etcd to become healthy',
    ).catch(() => failure(`was not healthy after ${this.healthTimeoutMs} ms (etcdctl said: ${said || 'nothing'})`, members[0]!));
    if (outcome !== 'healthy') throw outcome;
  }
}
