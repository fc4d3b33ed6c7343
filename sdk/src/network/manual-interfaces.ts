import type { InterfaceFeed, InterfaceFeedListener, InterfaceSource } from './interface-source';
import type { IpLink } from './nic-state';

/**
 * Interfaces set by hand, for tests in virtual time: change them with
 * {@link set}, {@link update} or {@link remove}, and decide whether the
 * change feed tells the watchers at once (`notify: true`, like
 * `ip monitor`) or leaves it to their periodic re-check.
 */
export class ManualInterfaces implements InterfaceSource {
  private links: IpLink[] = [];
  private readonly listeners = new Set<InterfaceFeedListener>();
  /** When set, `read()` rejects with it (e.g. `ip` missing). */
  failReads: Error | undefined;
  /** Number of reads so far. */
  reads = 0;

  constructor(links: readonly IpLink[] = []) {
    this.links = links.map(copy);
  }

  /** An interface that is up with a carrier and carries `addresses`. */
  static link(ifname: string, ...addresses: string[]): IpLink {
    return {
      ifname,
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      operstate: 'UP',
      addr_info: addresses.map((local) => ({ family: local.includes(':') ? 'inet6' : 'inet', local })),
    };
  }

  /** Number of running feeds (watchers that started and did not stop). */
  get feeds(): number {
    return this.listeners.size;
  }

  read(): Promise<IpLink[]> {
    this.reads++;
    if (this.failReads) return Promise.reject(this.failReads);
    return Promise.resolve(this.links.map(copy));
  }

  watch(listener: InterfaceFeedListener): InterfaceFeed {
    this.listeners.add(listener);
    return {
      stop: () => {
        this.listeners.delete(listener);
        return Promise.resolve();
      },
    };
  }

  /** Replaces every interface. */
  set(links: readonly IpLink[], options: { notify?: boolean } = {}): void {
    this.links = links.map(copy);
    if (options.notify ?? true) this.notify();
  }

  /** Changes one interface: `admin` (`ip link set … up|down`), `carrier`, or its addresses. */
  update(ifname: string, change: { admin?: 'up' | 'down'; carrier?: boolean; addresses?: string[] }, options: { notify?: boolean } = {}): void {
    const link = this.links.find((l) => l.ifname === ifname);
    if (!link) throw new Error(`ManualInterfaces: no interface ${ifname}`);
    const admin = change.admin ?? (link.flags.includes('UP') ? 'up' : 'down');
    const carrier = change.carrier ?? !link.flags.includes('NO-CARRIER');
    link.flags = ['BROADCAST', 'MULTICAST', ...(admin === 'up' ? ['UP'] : []), ...(admin === 'up' && carrier ? ['LOWER_UP'] : []), ...(admin === 'up' && !carrier ? ['NO-CARRIER'] : [])];
    link.operstate = admin === 'down' ? 'DOWN' : carrier ? 'UP' : 'LOWERLAYERDOWN';
    if (change.addresses) link.addr_info = ManualInterfaces.link(ifname, ...change.addresses).addr_info;
    if (options.notify ?? true) this.notify();
  }

  /** Tells every feed that something changed, as an `ip monitor` line would. */
  notify(): void {
    for (const listener of [...this.listeners]) listener.changed();
  }

  /** Reports a feed problem to every watcher. */
  feedError(message: string): void {
    for (const listener of [...this.listeners]) listener.error(message);
  }
}

function copy(link: IpLink): IpLink {
  return { ...link, flags: [...link.flags], addr_info: link.addr_info.map((a) => ({ ...a })) };
}
