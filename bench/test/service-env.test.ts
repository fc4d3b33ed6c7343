import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BenchPair } from '../src/bench-pair';
import { serviceEnv, serviceEnvDropped } from '../src/service-env';

/** The names in /proc/<pid>/environ. */
function environNames(pid: number): string[] {
  return fs
    .readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(0, entry.indexOf('=')));
}

describe("bench pairs run in a service's environment", () => {
  it('drops NODE_EXTRA_CA_CERTS and keeps everything else', () => {
    const env = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', HOME: '/root' };
    expect(serviceEnv(env)).toEqual({ PATH: '/usr/bin', HOME: '/root' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt'); // the given one is left alone
    expect(serviceEnvDropped(env)).toEqual(['NODE_EXTRA_CA_CERTS']);
    expect(serviceEnvDropped({ PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '' })).toEqual([]);
  });

  it.runIf(process.platform === 'linux')(
    'switchyard up and both nodes start without it by default, and with it when asked',
    async () => {
      const bundle = '/etc/ssl/certs/ca-certificates.crt';
      const saved = process.env.NODE_EXTRA_CA_CERTS;
      process.env.NODE_EXTRA_CA_CERTS = bundle; // as in a shell that sets it
      try {
        for (const [options, expected] of [
          [{}, false], // the default: a service's environment
          [{ env: process.env }, true],
        ] as const) {
          const pair = new BenchPair(options);
          try {
            await pair.start();
            const { primary, backup } = await pair.stable();
            for (const pid of [pair.up!.child.pid!, primary.pid!, backup.pid!]) {
              expect(environNames(pid).includes('NODE_EXTRA_CA_CERTS'), `pid ${pid}`).toBe(expected);
            }
          } finally {
            await pair.stop();
          }
        }
      } finally {
        if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
        else process.env.NODE_EXTRA_CA_CERTS = saved;
      }
    },
    60_000,
  );
});
