import path from 'node:path';
import { Option, type Command } from 'commander';
import { Lab } from '../../lab';
import { FIXED_PREFIX } from '../fixed-lab';
import { howTo } from '../how-to';
import { coreCliPath, placeNodes, type PlacedNode } from '../node-config';
import { ExitCode } from '../report';
import type { CommandRunner } from '../program';

interface UpOptions {
  etcdMembers: '1' | '3';
  config?: string;
  dir?: string;
}

async function up(options: UpOptions): Promise<number> {
  // Everything that can be checked is checked before a namespace exists.
  const placed = options.config === undefined ? undefined : await placeNodes(options.config);
  const coreCli = placed === undefined ? undefined : coreCliPath();
  const lab = await Lab.create({
    prefix: FIXED_PREFIX,
    etcdMembers: options.etcdMembers === '3' ? 3 : 1,
    dir: options.dir === undefined ? undefined : path.resolve(options.dir),
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  const started: { node: PlacedNode; pid: number; logFile: string }[] = [];
  try {
    for (const node of placed?.nodes ?? []) {
      const logFile = path.join(lab.dir, `node-${node.id}.log`);
      const proc = lab.spawn(node.host, [process.execPath, coreCli!, 'node', '--config', placed!.file, '--id', node.id], {
        cwd: placed!.configDir,
        logFile,
        label: `node ${node.id}`,
      });
      started.push({ node, pid: proc.pid, logFile });
    }
    await lab.detach();
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  process.stdout.write(howTo(lab, started, placed?.file));
  return ExitCode.OK;
}

export function registerUp(program: Command, run: CommandRunner): void {
  program
    .command('up')
    .description(`create the lab ${FIXED_PREFIX} (namespaces ${FIXED_PREFIX}-h1/-h2/-cl/-sw), start etcd and, with --config, one switchyard node per host; then exit, leaving it running`)
    .addOption(new Option('--etcd-members <n>', 'etcd members in the client namespace').choices(['1', '3']).default('1'))
    .option('--config <file>', 'a Switchyard config whose nodes[].host are 192.0.2.1 (runs in h1) and 192.0.2.2 (runs in h2)')
    .option('--dir <dir>', 'folder in which the lab makes its own folder (etcd data, logs); default the OS temp folder')
    .action((options: UpOptions) => run(() => up(options)));
}
