/**
 * RFC 4475 (SIP torture tests) cases that concern a parser, written from the
 * RFC's descriptions. Each case is data: the wire bytes and either the
 * fields a parser must see or the exact error code.
 */
import { describe, expect, it } from 'vitest';
import { INVALID_CASES } from './message-rfc4475-invalid';
import { SEMANTIC_CASES } from './message-rfc4475-semantics';
import { SYNTAX_CASES } from './message-rfc4475-syntax';
import { parseFails, parseOk } from './message-wire';

describe('RFC 4475 torture tests: valid messages', () => {
  it.each([...SYNTAX_CASES, ...SEMANTIC_CASES].map((c) => [`${c.section} ${c.name}`, c] as const))('%s', (_title, c) => {
    c.check(parseOk(c.data));
  });
});

describe('RFC 4475 torture tests: invalid messages', () => {
  it.each(INVALID_CASES.map((c) => [`${c.section} ${c.name} → ${c.code}`, c] as const))('%s', (_title, c) => {
    const error = parseFails(c.data, c.code);
    // Every one of these still lets a server copy the headers a 400 needs.
    expect(error.partial?.headers?.length ?? 0).toBeGreaterThan(0);
  });
});
