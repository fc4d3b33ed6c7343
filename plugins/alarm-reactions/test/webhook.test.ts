import net from 'node:net';
import { describe, afterEach, expect, it } from 'vitest';
import { AlarmReactionEvent, webhookReaction, type AlarmReactionError } from '../src/index';
import { failure, fakeContext, never, sampleAlarm } from './support/context';
import { startReceiver } from './support/receiver';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

async function receiver(answer?: (n: number) => number | 'hang') {
  const r = await startReceiver(answer);
  cleanup.push(r.close);
  return r;
}

function create(options: Record<string, unknown>) {
  const ctx = fakeContext({ name: 'page-ops' });
  return { reaction: webhookReaction.create(webhookReaction.options.parse(options), ctx), ctx };
}


describe('webhook reaction (a real HTTP receiver on loopback)', () => {
  it('POSTs the alarm fields and the state as JSON, with the configured headers', async () => {
    const r = await receiver();
    const { reaction, ctx } = create({ url: `${r.url}?token=secret`, headers: { authorization: 'Bearer abc' } });
    await reaction.raised!(sampleAlarm(), never);
    expect(r.received).toHaveLength(1);
    const [post] = r.received;
    expect(post!.method).toBe('POST');
    expect(post!.url).toBe('/hooks/alarm?token=secret');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers.authorization).toBe('Bearer abc');
    expect(post!.body).toEqual({ ...sampleAlarm(), state: 'raised' });
    // the logged URL leaves out the query (a token)
    expect(ctx.events).toEqual([
      { id: AlarmReactionEvent.WebhookDelivered, fields: expect.objectContaining({ url: r.url, status: 200, attempt: 1, change: 'raised' }) },
    ]);

    await reaction.cleared!(sampleAlarm({ state: 'cleared', clearReason: 'operator', clearedBy: 'alice', clearedAt: 1 }), never);
    expect(r.received[1]!.body).toMatchObject({ state: 'cleared', clearedBy: 'alice' });
  });

  it('retries 5xx answers with exponential backoff, then succeeds', async () => {
    const r = await receiver((n) => (n < 3 ? 503 : 204));
    const { reaction, ctx } = create({ url: r.url, retries: 3, backoff: 0.05 });
    await reaction.raised!(sampleAlarm(), never);
    expect(r.received).toHaveLength(3);
    expect(ctx.events.map((e) => [e.id, e.fields.attempt, e.fields.delay])).toEqual([
      [AlarmReactionEvent.WebhookRetry, 1, 0.05],
      [AlarmReactionEvent.WebhookRetry, 2, 0.1],
      [AlarmReactionEvent.WebhookDelivered, 3, undefined],
    ]);
    expect(ctx.events[0]!.fields.error).toBe('HTTP 503 "status 503"');
  });

  it('gives each attempt its own timeout, and retries it', async () => {
    const r = await receiver((n) => (n === 1 ? 'hang' : 200));
    const { reaction, ctx } = create({ url: r.url, timeout: 0.2, retries: 1, backoff: 0.05 });
    await reaction.raised!(sampleAlarm(), never);
    expect(r.received).toHaveLength(2);
    expect(ctx.events[0]!.fields.error).toBe('no answer within 0.2s');
  });

  it('fails with SWY_ERR_ALARM_WEBHOOK_FAILED: at once on a 4xx, after every retry on network errors', async () => {
    const r = await receiver(() => 404);
    const notFound = create({ url: r.url, retries: 3, backoff: 0.05 });
    const error = await failure(notFound.reaction.raised!(sampleAlarm(), never));
    expect(error.code).toBe('SWY_ERR_ALARM_WEBHOOK_FAILED');
    expect(error.message).toContain('answered HTTP 404 "status 404"; not retried');
    expect(r.received).toHaveLength(1);

    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const refused = create({ url: `http://127.0.0.1:${closed}/`, retries: 2, backoff: 0.02 });
    const down = await failure(refused.reaction.raised!(sampleAlarm(), never));
    expect(down.message).toMatch(/failed after 3 attempts: connect ECONNREFUSED/);
    expect(refused.ctx.events.map((e) => e.fields.attempt)).toEqual([1, 2]);
  });

  it('stops retrying when the alarm engine aborts the reaction', async () => {
    const r = await receiver(() => 500);
    const { reaction } = create({ url: r.url, retries: 10, backoff: 0.5 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('reaction timed out')), 100);
    const error = await failure(reaction.raised!(sampleAlarm(), abort.signal));
    expect(error.message).toBe('reaction timed out');
    expect(r.received).toHaveLength(1);
  });

  it('validates its options: an http(s) URL, safe header names and values', () => {
    const issues = (o: Record<string, unknown>) => webhookReaction.options.safeParse(o).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ url: 'ftp://x.example/' })).toEqual([['url', 'url must be an http:// or https:// URL']]);
    expect(issues({ url: 'https://x.example/', headers: { 'x-a': 'one\r\nInjected: yes' } })).toEqual([['headers.x-a', 'a header value cannot hold CR or LF']]);
    expect(issues({ url: 'https://x.example/', headers: { 'Content-Length': '1' } })?.[0]?.[1]).toContain('writes content-length');
    expect(webhookReaction.options.parse({ url: 'https://x.example/' })).toEqual({ url: 'https://x.example/', timeout: 5, retries: 3, backoff: 0.5 });
  });
});
