import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@switchyard/core';
import { LabError } from '../errors';
import { ADDRESSES, HOST_NAMES, type HostName } from '../topology';

/** A node of the config and the lab host it runs on. */
export interface PlacedNode {
  id: string;
  host: HostName;
}

/** Where the config's nodes run: the node at 192.0.2.1 in h1, at 192.0.2.2 in h2. Every node must be on one of them. */
export async function placeNodes(configFile: string): Promise<{ file: string; configDir: string; nodes: PlacedNode[] }> {
  const loaded = await loadConfig({ configPath: configFile });
  const file = loaded.file ?? path.resolve(configFile);
  const nodes = loaded.config.nodes.map((node, i): PlacedNode => {
    const host = HOST_NAMES.find((h) => ADDRESSES[h].ctl === node.host);
    if (host === undefined) {
      throw new LabError(
        'SWY_ERR_LAB_CONFIG',
        `${file}: Key "nodes[${i}].host" is ${node.host}, which is not a lab host; use ${ADDRESSES.h1.ctl} (h1) or ${ADDRESSES.h2.ctl} (h2)`,
      );
    }
    return { id: node.id, host };
  });
  for (const h of HOST_NAMES) {
    const on = nodes.filter((n) => n.host === h);
    if (on.length > 1) throw new LabError('SWY_ERR_LAB_CONFIG', `${file}: nodes ${on.map((n) => n.id).join(' and ')} both run on ${ADDRESSES[h].ctl} (${h}); give each its own host`);
  }
  return { file, configDir: loaded.configDir, nodes };
}

/** The built `switchyard` CLI of @switchyard/core (`dist/cli/main.js`). */
export function coreCliPath(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@switchyard/core/package.json');
  } catch (error) {
    throw new LabError('SWY_ERR_LAB_CORE_MISSING', '@switchyard/core is not installed beside @switchyard/lab', { cause: error });
  }
  const cli = path.join(path.dirname(pkg), 'dist', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new LabError('SWY_ERR_LAB_CORE_MISSING', `${cli} does not exist`);
  return cli;
}
