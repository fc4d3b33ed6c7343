import { describe, expect, it } from 'vitest';
import { blocks, fill, render, ROOT } from '../src/generate';
import { anchors, brokenLinks, docFiles, slug } from '../src/links';
import { SOURCES } from '../src/sources';

/** The committed docs hold the tables the code gives: regenerated in memory and compared, file by file. */
describe('generated doc tables are up to date', () => {
  for (const { file, expected, actual } of render()) {
    it(file, () => {
      if (actual !== expected) expect.fail(`${file} is out of date: run npm run docs (its generated tables differ from the code)`);
    });
  }
});

describe('the generator', () => {
  it('covers every package that declares events or error codes', () => {
    const files = new Set(blocks().map((b) => b.file));
    expect(files).toContain('docs/operator/events.md');
    expect(files).toContain('docs/operator/errors.md');
    for (const source of SOURCES.filter((s) => s.readme && s.events.length > 0)) expect(files, source.key).toContain(source.readme);
  });

  it('replaces a stale table between the markers and leaves the text around it alone', () => {
    const block = { file: 'x.md', name: 'errors:x', content: '| code | what to do |\n| --- | --- |\n| `A` | do a |' };
    const stale = 'intro\n<!-- generated:errors:x:begin -->\n| old |\n<!-- generated:errors:x:end -->\noutro\n';
    expect(fill('x.md', stale, [block])).toBe(`intro\n<!-- generated:errors:x:begin -->\n${block.content}\n<!-- generated:errors:x:end -->\noutro\n`);
  });

  it('refuses a file without the markers, and markers nothing fills', () => {
    const block = { file: 'x.md', name: 'events:x', content: '' };
    expect(() => fill('x.md', 'no markers', [block])).toThrow('x.md has no <!-- generated:events:x:begin -->');
    expect(() => fill('x.md', '<!-- generated:events:y:begin --><!-- generated:events:y:end -->', [])).toThrow('nothing generates');
  });
});

describe('links between the docs', () => {
  it('every relative link names a file that exists, and a heading it has', () => {
    const broken = docFiles(ROOT).flatMap((file) => brokenLinks(ROOT, file));
    expect(broken).toEqual([]);
  });

  it('the check sees a broken anchor', () => {
    expect(slug('One host: `switchyard up`')).toBe('one-host-switchyard-up');
    expect(anchors('# A\n```\n# not a heading\n```\n## B c').has('b-c')).toBe(true);
    expect(anchors('```\n# x\n```').has('x')).toBe(false);
  });
});
