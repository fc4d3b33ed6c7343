import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/fs/atomic-file';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-atomic-'));
  made.push(dir);
  return dir;
};

describe('writeFileAtomic', () => {
  it('replaces the file with the exact mode, whatever the umask, and leaves no temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, 'old');
    const umask = process.umask(0o000);
    try {
      await writeFileAtomic(file, 'new', { mode: 0o640 });
    } finally {
      process.umask(umask);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('writes data that comes in chunks, in order, each after the last (multi-byte text across chunks too)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'snapshot');
    fs.writeFileSync(file, 'a much longer old content than the new one');
    async function* chunks() {
      yield 'header\n';
      for (let i = 0; i < 3; i++) yield `line ${i} é\n`;
    }
    await writeFileAtomic(file, chunks());
    expect(fs.readFileSync(file, 'utf8')).toBe('header\nline 0 é\nline 1 é\nline 2 é\n');
    expect(fs.readdirSync(dir)).toEqual(['snapshot']);
  });

  it('keeps the old content and removes its temp file when a chunk cannot be made', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'snapshot');
    fs.writeFileSync(file, 'old');
    async function* failing() {
      yield 'half';
      throw new Error('the store went away');
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow('the store went away');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['snapshot']);
  });

  it('keeps the old content and removes its temp file when the write fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    fs.mkdirSync(file); // renaming a file over a folder fails
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow();
    expect(fs.statSync(file).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });
});
