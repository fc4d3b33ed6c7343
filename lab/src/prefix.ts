import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { LabError } from './errors';
import { recordFile } from './registry';
import { listNamespaces } from './topology';

/** A fixed lab name: short, so that `<prefix>-sw` stays a readable namespace name. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,11}$/;

/**
 * Claims a lab name by creating its registry file exclusively, so two
 * processes never build the same lab. Without `wanted`, picks a random
 * `sy<4 hex>` that no namespace and no registry entry uses.
 */
export async function claimPrefix(wanted: string | undefined): Promise<string> {
  const taken = await listNamespaces();
  for (let attempt = 0; attempt < 20; attempt++) {
    const prefix = wanted ?? `sy${randomBytes(2).toString('hex')}`;
    if (!taken.some((ns) => ns.startsWith(`${prefix}-`))) {
      try {
        fs.closeSync(fs.openSync(recordFile(prefix), 'wx', 0o600));
        return prefix;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    if (wanted !== undefined) {
      throw new LabError('SWY_ERR_LAB_EXISTS', `a lab named ${wanted} exists already (namespaces ${wanted}-* or its registry entry ${recordFile(wanted)})`);
    }
  }
  throw new LabError('SWY_ERR_LAB_EXISTS', 'no free lab name after 20 tries; remove old labs with sweepLabs({ all: true }) or `switchyard-lab down`');
}
