import { SwitchyardError } from '../errors';
import type { NodeStatus } from './types';

/** Allowed status transitions: starting → running ⇄ unavailable → stopping → stopped. */
const NEXT: Readonly<Record<NodeStatus, readonly NodeStatus[]>> = {
  starting: ['running', 'unavailable', 'stopping'],
  running: ['unavailable', 'stopping'],
  unavailable: ['running', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export function canTransition(from: NodeStatus, to: NodeStatus): boolean {
  return NEXT[from].includes(to);
}

/** Holds a node's status and rejects illegal transitions with a coded error. */
export class StatusMachine {
  private value: NodeStatus = 'starting';

  get current(): NodeStatus {
    return this.value;
  }

  /** Moves to `to`; returns the previous status. */
  transition(to: NodeStatus): NodeStatus {
    const from = this.value;
    if (!canTransition(from, to)) {
      throw new SwitchyardError('SWY_ERR_STATUS_TRANSITION', `Illegal node status transition ${from} -> ${to}.`, {
        details: { from, to },
      });
    }
    this.value = to;
    return from;
  }
}
