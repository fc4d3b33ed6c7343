import type { Command } from 'commander';
import { teardownLab } from '../../teardown';
import { FIXED_NAMES, FIXED_PREFIX, fixedLabState } from '../fixed-lab';
import { ExitCode } from '../report';
import type { CommandRunner } from '../program';
import { namespacesOf } from '../../topology';

/** Removes the fixed lab, whatever state `up` left it in (also half-built, or without a registry entry). */
async function down(): Promise<number> {
  const state = await fixedLabState();
  if (state.record === undefined && state.namespaces.length === 0) {
    process.stdout.write(`no lab ${FIXED_PREFIX} to remove\n`);
    return ExitCode.OK;
  }
  const report = await teardownLab({
    prefix: FIXED_PREFIX,
    namespaces: namespacesOf(FIXED_NAMES),
    dir: state.record?.dir ?? '',
    processes: state.record?.processes ?? [],
  });
  const lines = [
    `lab ${FIXED_PREFIX} removed:`,
    `  processes killed: ${report.killed.length > 0 ? report.killed.join(', ') : 'none running'}`,
    `  namespaces deleted: ${report.namespaces.length > 0 ? report.namespaces.join(', ') : 'none left'}`,
    `  folder removed: ${report.dir ?? 'none left'}`,
    `  registry entry removed: ${state.registryFile}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}

export function registerDown(program: Command, run: CommandRunner): void {
  program
    .command('down')
    .description(`remove the lab ${FIXED_PREFIX}: kill its processes, delete its namespaces and its folder (exit 0 also when there is none)`)
    .action(() => run(down));
}
