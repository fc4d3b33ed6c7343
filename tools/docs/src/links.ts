import fs from 'node:fs';
import path from 'node:path';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const h = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (h) out.add(slug(h[1]!));
  }
  return out;
}

/** Relative links of `file` (from `root`) whose target file or heading does not exist. */
export function brokenLinks(root: string, file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
    const [rel, anchor] = target.split('#') as [string, string | undefined];
    const resolved = rel === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), rel);
    if (!fs.existsSync(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor && fs.statSync(resolved).isFile() && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${file}: ${target} (no heading #${anchor})`);
    }
  }
  return broken;
}

/** The Markdown files the link check covers: the README, docs/, and every package README. */
export function docFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
    );
  const packages = ['plugins', 'examples']
    .flatMap((d) => fs.readdirSync(path.join(root, d)).map((p) => path.join(d, p, 'README.md')))
    .concat(['core/README.md', 'sdk/README.md', 'lab/README.md', 'create-plugin/README.md'])
    .filter((f) => fs.existsSync(path.join(root, f)));
  return ['README.md', ...walk('docs'), ...packages];
}
