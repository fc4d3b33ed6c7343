import { EtcdArbiterError } from './errors';

/** The largest JSON value the election writes or reads (published state, one message). */
export const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Parses a value read from etcd. Anyone with write access to the prefix can
 * put anything there, so oversized or malformed values yield `undefined`
 * instead of throwing (`undefined` is never a JSON value).
 */
export function parseUntrustedJson(bytes: Buffer | undefined): unknown {
  if (bytes === undefined || bytes.length === 0 || bytes.length > MAX_VALUE_BYTES) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Serialises a value to write, refusing what the reading side would drop. */
export function encodeJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new EtcdArbiterError('SWY_ERR_ETCD_VALUE_INVALID', `${what} is not JSON-serialisable`, { cause });
  }
  if (text === undefined) throw new EtcdArbiterError('SWY_ERR_ETCD_VALUE_INVALID', `${what} is not JSON-serialisable (undefined or a function)`);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_VALUE_BYTES) {
    throw new EtcdArbiterError('SWY_ERR_ETCD_VALUE_TOO_LARGE', `${what} is ${size} bytes of JSON, over the ${MAX_VALUE_BYTES}-byte limit`);
  }
  return text;
}
