import { NODE_ID } from './election-options';
import { parseUntrustedJson } from './json-value';

/** How {@link Inbox} reaches etcd and the caller. */
export interface InboxOptions {
  /** Deletes `key`, returning its value if this delete removed it (undefined: it was gone already). */
  remove(key: string): Promise<Buffer | undefined>;
  /** A well-formed message. */
  deliver(from: string, body: unknown): void;
}

/**
 * This node's inbox: each key found under `inbox/<nodeId>/` (by the watch or
 * the re-read, possibly both) is deleted, and its message delivered only if
 * that delete removed it — so a message is delivered once, whoever saw it
 * first. Malformed messages are deleted and dropped. One at a time, in the
 * order found.
 */
export class Inbox {
  private readonly taking = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: InboxOptions) {}

  /** A key seen in the inbox. */
  offer(key: string): void {
    if (this.taking.has(key)) return;
    this.taking.add(key);
    this.queue = this.queue.then(async () => {
      try {
        const message = parseUntrustedJson(await this.options.remove(key));
        if (isMessage(message)) this.options.deliver(message.from, message.body);
      } catch {
        /* still there: the next re-read offers it again */
      } finally {
        this.taking.delete(key);
      }
    });
  }
}

function isMessage(value: unknown): value is { from: string; body: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const from = (value as { from?: unknown }).from;
  return typeof from === 'string' && NODE_ID.test(from);
}
