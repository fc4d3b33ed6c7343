import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { isNodeMessage, type NodeMessage, type SupervisorMessage } from '../ipc/messages';
import { NODE_MAIN, forkNode, takePreforked } from './node-prefork';

export { NODE_MAIN } from './node-prefork';

export interface NodeProcessEvents {
  message(message: NodeMessage): void;
  exit(reason: string, pid: number | null): void;
  /** A line the node printed on stdout/stderr (crashes, runtime warnings). */
  output(line: string): void;
}

/** One forked node process: spawn, message, signal, wait for exit. */
export class NodeProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  startedAt = 0;

  constructor(
    readonly nodeId: string,
    private readonly events: NodeProcessEvents,
    private readonly entry = NODE_MAIN,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }
  get running(): boolean {
    return this.child !== null;
  }

  spawn(init: Extract<SupervisorMessage, { t: 'init' }>): number {
    // One forked as the CLI started, if there is one: its modules are loaded already.
    const child = takePreforked(this.entry) ?? forkNode(this.entry);
    this.child = child;
    this.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => this.events.output(line));
    }
    child.on('message', (raw: unknown) => {
      if (isNodeMessage(raw)) this.events.message(raw);
    });
    child.on('error', () => undefined); // 'exit' follows and carries the reason
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        this.events.exit(signal ? `signal ${signal}` : `exit code ${code ?? '?'}`, child.pid ?? null);
        resolve();
      });
    });
    this.send(init);
    return child.pid ?? -1;
  }

  /** Sends a message, with a socket handle when it carries one (the child gets its own copy; this process keeps its own). */
  send(message: SupervisorMessage, handle?: unknown): void {
    const child = this.child;
    if (child?.connected) child.send(message, handle as never, {}, () => undefined);
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Asks the node to stop; kills it after `timeoutMs`. Resolves when it has exited. */
  async stop(reason: string, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.send({ t: 'stop', reason });
    // A frozen (SIGSTOPped) node cannot stop by itself.
    child.kill('SIGCONT');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
