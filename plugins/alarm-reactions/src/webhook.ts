import * as http from 'node:http';
import * as https from 'node:https';
import { defineAlarmReaction, type Alarm, type AlarmReactionContext, type Clock } from '@switchyard/sdk';
import { z } from 'zod';
import { abortableSleep } from './abortable-sleep';
import { alarmPayload, eventFields, type AlarmChange } from './alarm-fields';
import { AlarmReactionError, describeError } from './errors';
import { AlarmReactionEvent } from './events';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the reaction writes itself. */
const RESERVED = new Set(['content-length', 'content-type', 'host', 'transfer-encoding', 'connection']);
/** Bytes of a receiver's answer kept for the log. */
const ANSWER_LOG_BYTES = 512;

export const webhookOptionsSchema = z.strictObject({
  /** http or https URL the alarm is POSTed to. */
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' }),
  /** Seconds each attempt may take (connect to last byte). */
  timeout: z.number().positive('timeout must be greater than 0').max(300).default(5),
  /** Further attempts after a network error, a timeout or an HTTP 5xx / 408 / 429 answer. */
  retries: z.number().int('retries is a whole number').min(0).max(10).default(3),
  /** Seconds before the first retry; doubles for each next one. */
  backoff: z.number().positive('backoff must be greater than 0').max(60).default(0.5),
  /** Extra request headers (e.g. an authorization token). */
  headers: z
    .record(z.string().regex(HEADER_NAME, 'a header name is a token (letters, digits, -, …)'), z.string().regex(/^[^\r\n]*$/, 'a header value cannot hold CR or LF'))
    .refine((h) => Object.keys(h).every((k) => !RESERVED.has(k.toLowerCase())), {
      error: `the reaction writes ${[...RESERVED].join(', ')} itself; remove them from headers`,
    })
    .optional(),
});

export type WebhookReactionOptions = z.output<typeof webhookOptionsSchema>;

/**
 * `webhook`: POSTs the alarm as JSON (its fields, and `state`: `raised` or
 * `cleared`) to `url`. Each attempt has its own `timeout`; a network error,
 * a timeout or an HTTP 5xx (or 408/429) answer is retried up to `retries`
 * times, waiting `backoff` seconds, then twice as long each time. Any 2xx
 * is success; another answer fails at once. Give the alarm engine's
 * `alarms.reactionTimeout` room for every attempt and wait, or it aborts
 * the reaction first.
 *
 * ```ts
 * reactions: { 'page-ops': { kind: 'webhook', url: 'https://ops.example/hooks/alarm', headers: { authorization: 'Bearer …' } } }
 * ```
 */
export const webhookReaction = defineAlarmReaction({
  options: webhookOptionsSchema,
  description: 'POSTs the alarm as JSON to a URL, with retries',
  create(options, ctx) {
    return {
      raised: (alarm, signal) => deliver(options, ctx, alarm, 'raised', signal),
      cleared: (alarm, signal) => deliver(options, ctx, alarm, 'cleared', signal),
    };
  },
});

/** Origin and path only: a URL's credentials and query may be secrets. */
export function printableUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

async function deliver(options: WebhookReactionOptions, ctx: AlarmReactionContext, alarm: Alarm, change: AlarmChange, signal: AbortSignal): Promise<void> {
  const body = JSON.stringify(alarmPayload(alarm, change));
  const fields = { ...eventFields(ctx.name, alarm, change), url: printableUrl(options.url) };
  const attempts = options.retries + 1;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const answer = await post(options, body, ctx.clock, signal);
      if (answer.status >= 200 && answer.status < 300) {
        ctx.emit(AlarmReactionEvent.WebhookDelivered, { ...fields, status: answer.status, attempt });
        return;
      }
      failure = `HTTP ${answer.status}${answer.text ? ` ${JSON.stringify(answer.text)}` : ''}`;
      if (!retryable(answer.status)) {
        throw new AlarmReactionError('SWY_ERR_ALARM_WEBHOOK_FAILED', `POST ${fields.url} answered ${failure}; not retried.`);
      }
    } catch (error) {
      if (error instanceof AlarmReactionError || signal.aborted) throw error;
      failure = describeError(error);
    }
    if (attempt >= attempts) {
      throw new AlarmReactionError('SWY_ERR_ALARM_WEBHOOK_FAILED', `POST ${fields.url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${failure}.`);
    }
    const delay = options.backoff * 2 ** (attempt - 1);
    ctx.emit(AlarmReactionEvent.WebhookRetry, { ...fields, attempt, error: failure, delay });
    await abortableSleep(ctx.clock, delay * 1000, signal);
  }
}

function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** One POST; resolves with any HTTP answer, rejects on a network error, its timeout or the abort. */
function post(options: WebhookReactionOptions, body: string, clock: Clock, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const url = new URL(options.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        // One connection per attempt: nothing lingers in a pool after the alarm.
        agent: false,
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'switchyard-alarm-reactions',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < ANSWER_LOG_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_LOG_BYTES).trim() })));
        res.on('error', (error) => finish(() => reject(error)));
      },
    );
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const timer = clock.setTimeout(() => {
      const error = new Error(`no answer within ${options.timeout}s`);
      finish(() => reject(error));
      req.destroy(error);
    }, options.timeout * 1000);
    const onAbort = () => {
      finish(() => reject(signal.reason ?? new Error('aborted')));
      req.destroy();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(() => reject(error)));
    req.end(body);
  });
}
