import { describe, expect, it } from 'vitest';
import { digestOptionsSchema } from '../src/index';

const issues = (raw: unknown) => {
  const r = digestOptionsSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('sip-digest-auth options', () => {
  it('defaults: SHA-256 then MD5, REGISTER only, 300 s nonces, 407 for other methods, same-user registrations', () => {
    expect(digestOptionsSchema.parse({ realm: 'r', credentials: '/etc/switchyard/users.ha1' })).toEqual({
      realm: 'r',
      credentials: '/etc/switchyard/users.ha1',
      algorithms: ['SHA-256', 'MD5'],
      nonceLifetime: 300,
      methods: ['REGISTER'],
      otherMethods: 'proxy',
      sameUserOnly: true,
      reloadInterval: 5,
      maxTrackedNonces: 100_000,
    });
  });

  it.each([
    [{}, 'realm: realm must be a string'],
    [{ realm: 'a"b' }, 'realm: realm must not contain quotes'],
    [{ realm: 'r', credentials: 'users.ha1' }, 'credentials: credentials must be an absolute path'],
    [{ realm: 'r', methods: ['REGISTER', 'ACK'] }, 'methods.1: ACK and CANCEL cannot be challenged'],
    [{ realm: 'r', methods: ['register'] }, 'methods.0: methods must be SIP method names in upper case'],
    [{ realm: 'r', algorithms: ['SHA-512-256'] }, 'algorithms.0: algorithms may hold "SHA-256" and "MD5"'],
    [{ realm: 'r', algorithms: ['MD5', 'MD5'] }, 'algorithms: algorithms must not repeat an algorithm'],
    [{ realm: 'r', algorithms: [] }, 'algorithms: algorithms must name at least one algorithm'],
    [{ realm: 'r', secret: 'short' }, 'secret: secret must be at least 32 characters'],
    [{ realm: 'r', nonceLifetime: 1 }, 'nonceLifetime: nonceLifetime must be at least 5 seconds'],
    [{ realm: 'r', password: 'x' }, 'Unrecognized key: "password"'],
  ])('refuses %j with the key path and the fix', (raw, message) => {
    expect(issues(raw).join('\n')).toContain(message);
  });
});
