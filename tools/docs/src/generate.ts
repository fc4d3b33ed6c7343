import fs from 'node:fs';
import path from 'node:path';
import { EVENT_MEANINGS } from './meanings';
import { SOURCES } from './sources';
import { errorTable, eventTable, runbookTable } from './tables';

/** The repository root (this file is tools/docs/{src,dist}/generate.*). */
export const ROOT = path.resolve(__dirname, '../../..');

/** One generated block: the text between `<!-- generated:<name>:begin -->` and `<!-- generated:<name>:end -->` in `file`. */
export interface Block {
  readonly file: string;
  readonly name: string;
  readonly content: string;
}

/** Every generated block of the docs. */
export function blocks(): Block[] {
  const declared = new Set(SOURCES.flatMap((s) => s.events.map((e) => e.id)));
  const orphans = Object.keys(EVENT_MEANINGS).filter((id) => !declared.has(id));
  if (orphans.length > 0) throw new Error(`tools/docs/src/meanings.ts describes events no package declares: ${orphans.join(', ')}`);
  const out: Block[] = [];
  for (const source of SOURCES) {
    if (source.events.length > 0) {
      out.push({ file: 'docs/operator/events.md', name: `events:${source.key}`, content: runbookTable(source.events) });
      if (source.readme) out.push({ file: source.readme, name: 'events', content: eventTable(source.events) });
    }
    if (Object.keys(source.errors).length > 0) {
      out.push({ file: 'docs/operator/errors.md', name: `errors:${source.key}`, content: errorTable(source.errors) });
      if (source.readme && source.key !== 'create-plugin') out.push({ file: source.readme, name: 'errors', content: errorTable(source.errors) });
    }
  }
  return out;
}

const marker = (name: string, end: 'begin' | 'end') => `<!-- generated:${name}:${end} -->`;

/** `text` with each block's markers holding its content; a missing marker is an error naming the file. */
export function fill(file: string, text: string, fileBlocks: readonly Block[]): string {
  let out = text;
  for (const block of fileBlocks) {
    const begin = marker(block.name, 'begin');
    const end = marker(block.name, 'end');
    const from = out.indexOf(begin);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${file} has no ${begin} … ${end} block: add the two markers where the table belongs`);
    out = `${out.slice(0, from + begin.length)}\n${block.content}\n${out.slice(to)}`;
  }
  const known = new Set(fileBlocks.map((b) => b.name));
  for (const m of out.matchAll(/<!-- generated:(\S+):begin -->/g)) {
    if (!known.has(m[1]!)) throw new Error(`${file} has a block generated:${m[1]} that nothing generates; remove its markers`);
  }
  return out;
}

/** Each generated file as it should be: path relative to `root` → expected text, and its text on disk. */
export function render(root: string = ROOT): { file: string; expected: string; actual: string }[] {
  const byFile = new Map<string, Block[]>();
  for (const block of blocks()) byFile.set(block.file, [...(byFile.get(block.file) ?? []), block]);
  return [...byFile].map(([file, fileBlocks]) => {
    const actual = fs.readFileSync(path.join(root, file), 'utf8');
    return { file, actual, expected: fill(file, actual, fileBlocks) };
  });
}

/** Writes every file whose tables differ from the code; returns the files written. */
export function writeDocs(root: string = ROOT): string[] {
  const changed = render(root).filter((f) => f.expected !== f.actual);
  for (const f of changed) fs.writeFileSync(path.join(root, f.file), f.expected);
  return changed.map((f) => f.file);
}
