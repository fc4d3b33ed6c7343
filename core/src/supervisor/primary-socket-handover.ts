/**
 * Who holds the agent's primary sockets (one host, `switchyard up`): the
 * sockets go to a node ordered primary once no other node holds them — the
 * previous holder released them (closed its copies), exited, or was fenced
 * — so two processes never read one socket. Pure bookkeeping; `give` sends.
 */
export class PrimarySocketHandover {
  private readonly holders = new Map<string, string | null>();
  /** The node ordered primary last, while it is (null after its demotion). */
  private primary: string | null = null;

  constructor(
    names: readonly string[],
    private readonly give: (nodeId: string, name: string) => void,
  ) {
    for (const name of names) this.holders.set(name, null);
  }

  /** The node holding `name` now, or null. */
  holder(name: string): string | null {
    return this.holders.get(name) ?? null;
  }

  /**
   * `nodeId` was ordered primary: it gets every socket nobody else holds
   * now, returned here for the caller to send with the order (one message,
   * so the node serves them in the turn it takes the role); the others
   * through `give` once they are released.
   */
  promoted(nodeId: string): string[] {
    this.primary = nodeId;
    return this.assign();
  }

  /** `nodeId` was ordered backup: it gets nothing more (it releases what it holds by itself). */
  demoted(nodeId: string): void {
    if (this.primary === nodeId) this.primary = null;
  }

  /** `nodeId` closed its copies of `name`. */
  released(nodeId: string, name: string): void {
    if (this.holders.get(name) !== nodeId) return;
    this.holders.set(name, null);
    this.flush();
  }

  /** `nodeId` can read nothing any more (it exited, or was killed): whatever it held is free. */
  gone(nodeId: string): void {
    for (const [name, holder] of this.holders) if (holder === nodeId) this.holders.set(name, null);
    if (this.primary === nodeId) this.primary = null;
    this.flush();
  }

  private flush(): void {
    const to = this.primary;
    for (const name of this.assign()) this.give(to!, name);
  }

  /** Makes the primary (if any) the holder of every socket nobody holds; returns their names. */
  private assign(): string[] {
    const to = this.primary;
    if (to === null) return [];
    const given: string[] = [];
    for (const [name, holder] of this.holders) {
      if (holder !== null) continue;
      this.holders.set(name, to);
      given.push(name);
    }
    return given;
  }
}
