import { DIGEST_ALGORITHMS, computeHa1, digestAlgorithm, type DigestAlgorithm } from './digest';

const USAGE = 'usage: switchyard-digest-ha1 USER REALM [MD5|SHA-256 …]  (the password is read from stdin, one line)';

/**
 * `switchyard-digest-ha1 USER REALM [ALGORITHM…]`: prints the credentials
 * file lines for USER (default both algorithms), reading the password from
 * stdin so it never appears in a process list or a shell history.
 */
export async function main(argv: string[], io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const [user, realm, ...names] = argv;
  const fail = (why: string) => {
    io.stderr.write(`switchyard-digest-ha1: ${why}\n${USAGE}\n`);
    process.exitCode = 2;
    return 2;
  };
  if (user === undefined || realm === undefined) return fail('USER and REALM are needed');
  if (user === '' || user.includes(':') || /[\s\u0000-\u001f]/.test(user)) return fail('USER must be non-empty, without ":", spaces or control characters');
  if (realm === '' || /[\u0000-\u001f"]/.test(realm)) return fail('REALM must be non-empty, without quotes or control characters');
  const algorithms: DigestAlgorithm[] = [];
  for (const name of names.length > 0 ? names : DIGEST_ALGORITHMS) {
    const algorithm = digestAlgorithm(name);
    if (!algorithm) return fail(`unknown algorithm "${name}"; use MD5 or SHA-256`);
    algorithms.push(algorithm);
  }
  let input = '';
  for await (const chunk of io.stdin) input += chunk.toString();
  const password = input.replace(/\r?\n$/, '');
  if (password === '' || password.includes('\n')) return fail('give the password on stdin, one line');
  for (const algorithm of algorithms) io.stdout.write(`${user}:${realm}:${algorithm}:${computeHa1(algorithm, user, realm, password)}\n`);
  return 0;
}
