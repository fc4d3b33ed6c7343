import { NODE_ID } from './election-options';

/**
 * Where the election keeps things under its prefix:
 * - `<prefix>leader`: the leader's node id, under the leader's lease; its
 *   create revision is the term;
 * - `<prefix>nodes/<id>`: each node's published state (JSON), under its lease;
 * - `<prefix>inbox/<id>/<message id>`: messages to a node (JSON `{from, body}`),
 *   under the sender's lease, deleted by the receiver.
 */
export class ElectionKeys {
  readonly leader: string;
  readonly nodes: string;
  readonly inbox: string;

  constructor(
    readonly prefix: string,
    readonly nodeId: string,
  ) {
    this.leader = `${prefix}leader`;
    this.nodes = `${prefix}nodes/`;
    this.inbox = this.inboxOf(nodeId);
  }

  node(id: string): string {
    return `${this.nodes}${id}`;
  }

  inboxOf(id: string): string {
    return `${this.prefix}inbox/${id}/`;
  }

  /** The node id a `nodes/` key names, or undefined for a key no node could have written. */
  nodeIdOf(key: string): string | undefined {
    if (!key.startsWith(this.nodes)) return undefined;
    const id = key.slice(this.nodes.length);
    return NODE_ID.test(id) ? id : undefined;
  }
}
