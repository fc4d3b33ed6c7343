import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/**
 * A minimal npm registry on loopback: serves a fixed set of package versions (packuments and
 * tarballs) over HTTP, read-only, so `npm create` / `npm install` resolve and download them as
 * from registry.npmjs.org. Used by `npm run registry` (the Switchyard packages, packed) and by
 * the end-to-end test (which also serves the repository's locked dependencies).
 */

/** One version of a package as the registry serves it. */
export interface RegistryVersion {
  name: string;
  version: string;
  /** The manifest fields npm resolves with (dependencies, peerDependencies, bin, engines, os, cpu, …). */
  manifest: Record<string, unknown>;
  /** SRI sha512 of the tarball (`sha512-<base64>`). */
  integrity: string;
  /** sha1 hex of the tarball (the older `dist.shasum`), when known. */
  shasum?: string;
  /** The tarball on disk; a version whose file is missing is listed but its tarball is a 404. */
  file: string;
}

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Every request, in order: `GET /@switchyard%2fsdk 200`. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** `@scope/name` → `name`; the tarball's file name is `<basename>-<version>.tgz`, as npm publishes it. */
function tarballPath(name: string, version: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return `/${name}/-/${base}-${version}.tgz`;
}

/** Orders x.y.z[-pre] versions (enough for dist-tags.latest: the highest release). */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('-', 2);
    return { parts: core.split('.').map((n) => Number(n)), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** Reads `package/package.json` out of an npm tarball (gzip'd ustar) and hashes the file as npm would. */
export function versionFromTarball(file: string): RegistryVersion {
  const bytes = fs.readFileSync(file);
  const tar = zlib.gunzipSync(bytes);
  let manifest: Record<string, unknown> | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, to: number) => header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
    const prefix = field(345, 500);
    const entry = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 136).trim() || '0', 8);
    if (entry === 'package/package.json') {
      manifest = JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf8')) as Record<string, unknown>;
      break;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (!manifest) throw new Error(`${file} holds no package/package.json`);
  const { name, version } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string') throw new Error(`${file}: package.json has no name or version`);
  const integrity = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
  const shasum = crypto.createHash('sha1').update(bytes).digest('hex');
  return { name, version, manifest, integrity, shasum, file };
}

/** Serves `versions` on 127.0.0.1 (`port` 0: any free port). `log` sees every request line. */
export async function startRegistry(
  versions: readonly RegistryVersion[],
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<RunningRegistry> {
  const requests: string[] = [];
  const byName = new Map<string, RegistryVersion[]>();
  const tarballs = new Map<string, RegistryVersion>();
  for (const v of versions) {
    const list = byName.get(v.name) ?? [];
    if (list.some((other) => other.version === v.version)) continue;
    list.push(v);
    byName.set(v.name, list);
    tarballs.set(tarballPath(v.name, v.version), v);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // npm asks for `/@scope%2fname`; accept `/@scope/name` too.
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = url.pathname;
    }
    const done = (status: number, body: string | Buffer | fs.ReadStream, type: string) => {
      const line = `${req.method} ${url.pathname} ${status}`;
      requests.push(line);
      options.log?.(line);
      res.writeHead(status, { 'content-type': type });
      if (body instanceof fs.ReadStream) body.on('error', () => res.destroy()).pipe(res);
      else res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return done(405, '{"error":"read-only registry"}', 'application/json');
    const tarball = tarballs.get(pathname);
    if (tarball) {
      if (!fs.existsSync(tarball.file)) return done(404, '{"error":"tarball not available here"}', 'application/json');
      return done(200, fs.createReadStream(tarball.file), 'application/octet-stream');
    }
    const list = byName.get(pathname.slice(1));
    if (!list) return done(404, '{"error":"Not found"}', 'application/json');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sorted = [...list].sort((a, b) => compareVersions(a.version, b.version));
    const releases = sorted.filter((v) => !v.version.includes('-'));
    const latest = (releases.length > 0 ? releases : sorted).at(-1)!.version;
    const packument = {
      name: list[0]!.name,
      'dist-tags': { latest },
      versions: Object.fromEntries(
        sorted.map((v) => [
          v.version,
          { ...v.manifest, name: v.name, version: v.version, dist: { tarball: `${base}${tarballPath(v.name, v.version)}`, integrity: v.integrity, ...(v.shasum ? { shasum: v.shasum } : {}) } },
        ]),
      ),
    };
    return done(200, JSON.stringify(packument), 'application/json');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
