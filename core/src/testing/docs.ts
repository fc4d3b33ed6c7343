import fs from 'node:fs';

/**
 * The tables of one section of a Markdown file, for docs tests that compare
 * a documented table with the code (not a search of the whole file for a
 * word). A section runs from its heading (`## Name`, matched exactly after
 * the hashes) to the next heading of the same or a higher level.
 */
export function markdownTables(file: string, heading: string): string[][][] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`${file} has no heading "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of lines.slice(start + 1)) {
    const h = /^(#+) /.exec(line);
    if (h && h[1]!.length <= level) break;
    if (line.startsWith('|')) {
      const cells = line
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      if (!current) {
        current = [];
        tables.push(current);
        continue; // the header row
      }
      current.push(cells);
    } else current = null;
  }
  return tables;
}

/** The first column of a table, without backticks. */
export function firstColumn(rows: readonly string[][]): string[] {
  return rows.map((r) => (r[0] ?? '').replace(/`/g, ''));
}
