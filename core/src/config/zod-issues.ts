import type { z } from 'zod';
import type { ConfigIssue, ErrorCode, PluginErrorCode } from '../errors';
import { suggestKey } from './suggest';

/**
 * Turns zod issues into {@link ConfigIssue}s: ESLint-style key paths,
 * messages that say what is expected and what was found, and "did you
 * mean" for unknown keys. Works with any zod 4 copy (a plugin may bundle
 * its own), so it reads schemas through `_zod.def` rather than `instanceof`.
 */

type PathSegment = PropertyKey;

/**
 * `['nodes', 1, 'haPort']` → `nodes[1].haPort`. Keys are joined with dots as
 * written, also when they contain dots or slashes (`plugins../x.js.interval`),
 * so the path reads like the config the operator wrote.
 */
export function formatKeyPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** A short, safe rendering of a received value for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  tuple: 'a list',
  date: 'a date',
  bigint: 'a bigint',
  null: 'null',
  undefined: 'left out',
};

/** Used only where a schema gives no message of its own (zod prefers the schema's). */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is required; set it to ${expected}` : `must be ${expected}`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string') return `must be at least ${min} character${min === '1' ? '' : 's'} long`;
      if (issue.origin === 'array' || issue.origin === 'set') {
        return issue.exact ? `must have exactly ${min} items` : `must have at least ${min} item${min === '1' ? '' : 's'}`;
      }
      return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${max} characters long`;
      if (issue.origin === 'array' || issue.origin === 'set') {
        return issue.exact ? `must have exactly ${max} items` : `must have at most ${max} items`;
      }
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return 'does not match any accepted form';
    default:
      return undefined;
  }
};

/** Parse options for every config and plugin-options parse: our messages, and the input for "got …". */
export const PARSE_OPTIONS = { error: errorMap, reportInput: true } as const;

/** Codes whose message gains a "(got …)" suffix when the input is known. */
const SHOWS_INPUT = new Set(['invalid_type', 'too_small', 'too_big', 'invalid_value', 'invalid_format', 'not_multiple_of', 'invalid_union']);

/**
 * Converts zod issues to config issues. `schema` is the schema that was
 * parsed (to list valid keys for "did you mean"), `prefix` the key path of
 * the parsed value within the config, `code` the error code to attach.
 */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.core.$ZodType,
  prefix: readonly PathSegment[],
  code: ErrorCode,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        out.push({ path: formatKeyPath([...prefix, ...issue.path, key]), message: unknownKeyMessage(key, known), code });
      }
      continue;
    }
    let message = issue.message;
    const input = receivedValue(issue);
    if (SHOWS_INPUT.has(issue.code) && input !== undefined) message += ` (got ${describeValue(input)})`;
    out.push({ path: formatKeyPath([...prefix, ...issue.path]), message, code: ownCode(issue) ?? code });
  }
  return out;
}

/**
 * A plugin schema may name its own error code for a check it makes:
 * `ctx.addIssue({ code: 'custom', message, params: { code: 'SWY_ERR_…' } })`.
 */
function ownCode(issue: z.core.$ZodIssue): PluginErrorCode | undefined {
  if (issue.code !== 'custom') return undefined;
  const named = (issue.params as { code?: unknown } | undefined)?.code;
  return typeof named === 'string' && /^SWY_ERR_[A-Z0-9_]+$/.test(named) ? (named as PluginErrorCode) : undefined;
}

/** The value the issue is about; for a discriminated union that is the discriminator, where the path points. */
function receivedValue(issue: z.core.$ZodIssue): unknown {
  const input = issue.input;
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
  }
  return input;
}

function unknownKeyMessage(key: string, known: readonly string[] | undefined): string {
  const head = `unknown key "${key}"`;
  if (known === undefined || known.length === 0) return `${head}; remove it`;
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `${head}; did you mean "${suggestion}"?`;
  return `${head}; remove it or use one of: ${known.join(', ')}`;
}

interface DefLike {
  type?: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  valueType?: z.core.$ZodType;
  items?: readonly z.core.$ZodType[];
  left?: z.core.$ZodType;
  right?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): DefLike {
  return (schema as { _zod?: { def?: DefLike } })._zod?.def ?? {};
}

/** Strips wrappers that do not change which keys an object accepts. */
function unwrap(schema: z.core.$ZodType, depth = 0): z.core.$ZodType[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'success':
      return def.innerType ? unwrap(def.innerType, depth + 1) : [];
    case 'pipe':
      return def.in ? unwrap(def.in, depth + 1) : [];
    case 'lazy':
      return def.getter ? unwrap(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => unwrap(option, depth + 1));
    case 'intersection':
      return [def.left, def.right].flatMap((side) => (side ? unwrap(side, depth + 1) : []));
    default:
      return [schema];
  }
}

/** The schemas found one step down `segment` from `schema` (several for unions). */
function step(schema: z.core.$ZodType, segment: PathSegment): z.core.$ZodType[] {
  return unwrap(schema).flatMap((inner) => {
    const def = defOf(inner);
    if (def.type === 'object' && def.shape && typeof segment === 'string' && Object.hasOwn(def.shape, segment)) {
      return [def.shape[segment]!];
    }
    if (def.type === 'array' && def.element && typeof segment === 'number') return [def.element];
    if (def.type === 'tuple' && def.items && typeof segment === 'number' && def.items[segment]) return [def.items[segment]];
    if (def.type === 'record' && def.valueType) return [def.valueType];
    return [];
  });
}

/**
 * The keys an object schema accepts at `path` below `schema`, or `undefined`
 * when the path does not lead to an object schema.
 */
export function objectKeysAt(schema: z.core.$ZodType, path: readonly PathSegment[]): string[] | undefined {
  let current: z.core.$ZodType[] = [schema];
  for (const segment of path) current = current.flatMap((s) => step(s, segment));
  const keys = new Set<string>();
  for (const inner of current.flatMap((s) => unwrap(s))) {
    const def = defOf(inner);
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return keys.size === 0 ? undefined : [...keys];
}
