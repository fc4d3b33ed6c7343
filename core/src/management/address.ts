/** `host:port` as people and URLs write it: IPv6 literals need brackets. */

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function hostPort(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
}
