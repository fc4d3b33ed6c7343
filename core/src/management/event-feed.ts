/**
 * `GET /events`: server-sent events for the console and anyone else who
 * wants live updates without polling. Topics: `nodes` (the node views, on
 * every change), `alarms` (active and cleared, on every change), `history`
 * (a switchover was recorded or its gap measured). Each new subscriber first
 * receives the latest value of every topic.
 */
import { errorResponse, type ManagementRoute } from './router';

export type EventTopic = 'nodes' | 'alarms' | 'history';

/** A comment line this often keeps proxies and idle timers from closing the stream. */
const KEEPALIVE_MS = 15_000;

/** At most this many streams at once; the console needs one a browser tab. */
export const MAX_EVENT_STREAMS = 32;

interface Subscriber {
  write(chunk: string): boolean;
}

export class EventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly latest = new Map<EventTopic, string>();
  private keepalive: NodeJS.Timeout | null = null;
  private nextId = 1;

  /** Publishes `data` on `topic`; a value equal to the last one is not sent again. */
  publish(topic: EventTopic, data: unknown): void {
    const json = JSON.stringify(data);
    if (this.latest.get(topic) === json) return;
    this.latest.set(topic, json);
    const frame = `id: ${this.nextId++}\nevent: ${topic}\ndata: ${json}\n\n`;
    for (const subscriber of this.subscribers) subscriber.write(frame);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** The `GET /events` route (a read: the token rules of reads apply). */
  route(): ManagementRoute {
    return {
      method: 'GET',
      path: '/events',
      requiresToken: false,
      handler: () => {
        if (this.subscribers.size >= MAX_EVENT_STREAMS) {
          return errorResponse(503, 'SWY_ERR_MGMT_INTERNAL', `GET /events: already ${MAX_EVENT_STREAMS} streams open; close a console tab and retry.`);
        }
        return {
          status: 200,
          body: null,
          stream: (writer) => {
            this.subscribers.add(writer);
            this.startKeepalive();
            writer.onClose(() => {
              this.subscribers.delete(writer);
              if (this.subscribers.size === 0) this.stopKeepalive();
            });
            writer.write('retry: 1000\n\n');
            for (const [topic, json] of this.latest) writer.write(`event: ${topic}\ndata: ${json}\n\n`);
          },
        };
      },
    };
  }

  private startKeepalive(): void {
    if (this.keepalive) return;
    this.keepalive = setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }
}
