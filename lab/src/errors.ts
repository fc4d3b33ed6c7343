import { codedErrorClass } from '@switchyard/core';

/**
 * Every error the lab raises, with a stable code and the one-line remedy
 * printed with it. The README's "Error codes" table mirrors this object.
 */
export const LAB_ERROR_CODES = {
  SWY_ERR_LAB_NOT_ROOT: 'Run as root (e.g. `sudo switchyard-lab up`, or run the tests as root): network namespaces need CAP_NET_ADMIN.',
  SWY_ERR_LAB_TOOL_MISSING: 'Install it: `apt-get install iproute2` gives `ip`, `apt-get install etcd-server etcd-client` gives `etcd` and `etcdctl`.',
  SWY_ERR_LAB_COMMAND_FAILED: 'A command building or changing the lab failed; read its stderr in the message, then `switchyard-lab down` (or `sweepLabs()`) and retry.',
  SWY_ERR_LAB_COMMAND_TIMEOUT: 'A command did not finish in time and was killed; check the machine is not overloaded, or raise the timeout.',
  SWY_ERR_LAB_SPAWN_FAILED: 'The process could not be started in the namespace; check the program exists inside the lab (same file system as the host).',
  SWY_ERR_LAB_ETCD_UNHEALTHY: 'etcd did not become healthy; read the etcd log tail in the message (a bad ETCD_* environment variable or a full disk are common causes).',
  SWY_ERR_LAB_ETCD_MEMBER: 'Name an etcd member the lab started: 0 for one member, 0-2 for three.',
  SWY_ERR_LAB_EXISTS: 'A lab with that name exists already; remove it with `switchyard-lab down`, or use it as it is.',
  SWY_ERR_LAB_NOT_FOUND: 'There is no such lab; create it with `switchyard-lab up`.',
  SWY_ERR_LAB_DESTROYED: 'The lab was destroyed; create a new one with Lab.create().',
  SWY_ERR_LAB_BAD_ARGUMENT: 'Pass one of the values the message lists (`switchyard-lab --help` shows them).',
  SWY_ERR_LAB_CONFIG: 'Put the nodes of the config on the lab hosts: nodes[].host 192.0.2.1 (runs in h1) and 192.0.2.2 (runs in h2).',
  SWY_ERR_LAB_CORE_MISSING: 'Build @switchyard/core first (`npm run build` at the repository root), so its CLI dist/cli/main.js exists.',
} as const;

export type LabErrorCode = keyof typeof LAB_ERROR_CODES;

/** The one error class of `@switchyard/lab`: `code` is stable, `message` says what happened, `remedy` what to do. */
export class LabError extends codedErrorClass('LabError', LAB_ERROR_CODES) {}

/** Whether `value` is a {@link LabError}, optionally with `code`. */
export function isLabError(value: unknown, code?: LabErrorCode): value is LabError {
  return value instanceof LabError && (code === undefined || value.code === code);
}
