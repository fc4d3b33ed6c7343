import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreatePluginError } from './errors';
import { generate, type PluginAnswers } from './generate';
import { KINDS, type Kind } from './kinds';
import { checkEventPrefix, checkKind, checkPackageName, checkPort } from './names';
import { Prompter } from './prompts';

export const USAGE = `Usage: npm create @switchyard/plugin [name] -- [options]
       npx @switchyard/create-plugin [name] [options]

Makes a Switchyard plugin package that builds, tests and runs in a pair with
no edits. Every question is also a flag; with --yes, or when stdin is not a
terminal, nothing is asked and defaults fill the rest.

Arguments:
  name                    npm package name (my-monitor, @acme/my-monitor); the part
                          after the scope is the plugin's name (default: my-<kind>)

Options:
  -k, --kind <kind>       what the plugin is (default: monitor):
${Object.entries(KINDS)
  .map(([kind, what]) => `                            ${kind.padEnd(20)}${what}`)
  .join('\n')}
  -d, --description <t>   one line for package.json and the README
  --event-prefix <NN>     two digits for the plugin's event ids NN-00001… (default: 77;
                          00 and 01 are Switchyard's)
  --dir <folder>          where to write it (default: ./<plugin name>); must be empty or new
  --port <n>              management port of the example pair; HA ports are n+1, n+2
                          (default: 7480)
  -y, --yes               ask nothing; defaults for what no flag gives
  -h, --help              this text

Exit codes: 0 written, 2 bad name, kind, prefix, folder or usage (nothing written),
1 anything else.

Then: cd <folder> && npm install && npm run build && npm test && npm start`;

export interface CliIo {
  cwd: string;
  /** Whether questions may be asked (stdin and stdout are terminals). */
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Where questions are read and asked (default: the process's stdin and stdout). */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

function ownVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        kind: { type: 'string', short: 'k' },
        description: { type: 'string', short: 'd' },
        'event-prefix': { type: 'string' },
        dir: { type: 'string' },
        port: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CreatePluginError('SWY_ERR_CREATE_USAGE', (error as Error).message, { cause: error });
  }
}

/** Runs create-plugin; resolves with the exit code. */
export async function runCreatePlugin(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) {
      throw new CreatePluginError('SWY_ERR_CREATE_USAGE', `one package name expected, got ${positionals.length}: ${positionals.join(' ')}`);
    }
    const answers = await collect(values, positionals[0], io);
    const files = generate(answers);
    const rel = path.relative(io.cwd, answers.dir) || '.';
    io.out(
      `Created ${answers.packageName} (${answers.kind}) in ${answers.dir}: ${files.length} files.\n\n` +
        `Next:\n  cd ${rel}\n  npm install\n  npm run build\n  npm test\n  npm start\n\n` +
        `The README says how to see it act in the pair.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CreatePluginError) {
      io.err(`create-plugin: ${error.code}: ${error.message}\n  ${error.remedy}\n`);
      return 2;
    }
    io.err(`create-plugin: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

type Flags = ReturnType<typeof parse>['values'];

async function collect(values: Flags, name: string | undefined, io: CliIo): Promise<PluginAnswers> {
  const ask = io.interactive && !values.yes;
  const prompter = ask ? new Prompter(io.input, io.output) : undefined;
  try {
    // Flags given are checked at once, so a bad one fails before any question.
    let kind: Kind | undefined = values.kind === undefined ? undefined : checkKind(values.kind);
    let plugin = name === undefined ? undefined : checkPackageName(name);
    const prefixFlag = values['event-prefix'] === undefined ? undefined : checkEventPrefix(values['event-prefix']);
    const port = values.port === undefined ? 7480 : checkPort(values.port);

    let packageName = name;
    if (packageName === undefined || plugin === undefined) {
      const fallback = `my-${kind ?? 'monitor'}`;
      packageName = prompter ? await prompter.ask('Package name', fallback, (a) => (checkPackageName(a), a)) : fallback;
      plugin = checkPackageName(packageName);
    }
    if (kind === undefined) {
      kind = prompter ? await prompter.ask(`Kind (${Object.keys(KINDS).join(', ')})`, 'monitor', checkKind) : 'monitor';
    }
    const defaultDescription = `A Switchyard plugin: ${KINDS[kind]}.`;
    const description =
      values.description ?? (prompter ? await prompter.ask('Description', defaultDescription, (a) => a) : defaultDescription);
    const eventPrefix = prefixFlag ?? (prompter ? await prompter.ask('Event id prefix (NN of NN-00001)', '77', checkEventPrefix) : '77');
    const dirAnswer = values.dir ?? (prompter ? await prompter.ask('Folder', `./${plugin}`, (a) => a) : `./${plugin}`);
    return {
      packageName,
      plugin,
      kind,
      description,
      eventPrefix,
      dir: path.resolve(io.cwd, dirAnswer),
      port,
      switchyardVersion: ownVersion(),
    };
  } finally {
    prompter?.close();
  }
}
