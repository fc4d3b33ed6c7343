/**
 * Variables of the bench's own environment that a `switchyard` service
 * does not have (systemd starts a unit with the unit's environment, not a
 * login shell's) and that change how long every Node.js process takes to
 * start. `NODE_EXTRA_CA_CERTS`: Node.js 20 reads and parses the named
 * bundle as each process starts, whether or not it ever opens a TLS
 * connection: 40 ms a process here (`node -e 0`: 50 ms with this sandbox's
 * bundle of some 150 certificates, 10-20 ms without), three processes in a
 * `switchyard up` start (the CLI and two nodes) on two cores.
 */
export const NOT_A_SERVICE_VARIABLES = ['NODE_EXTRA_CA_CERTS'] as const;

/** `env` without {@link NOT_A_SERVICE_VARIABLES}: what a pair is run with in the bench. */
export function serviceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of NOT_A_SERVICE_VARIABLES) delete copy[name];
  return copy;
}

/** The {@link NOT_A_SERVICE_VARIABLES} set in `env` (names only), for a result's note. */
export function serviceEnvDropped(env: NodeJS.ProcessEnv = process.env): string[] {
  return NOT_A_SERVICE_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
}
