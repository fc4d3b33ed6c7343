import type { Clock } from './clock';
import type { LogEventCatalogue } from './events/catalogue';
import type { Engine } from './engine/engine';
import type { HaChannels } from './halink/channel';
import type { SwitchoverResult } from './management/types';
import { createToken } from './tokens';

/** Services core registers in every engine's container. */
export const CoreTokens = Object.freeze({
  Clock: createToken<Clock>('clock'),
  Catalogue: createToken<LogEventCatalogue>('catalogue'),
  Engine: createToken<Engine>('engine'),
  /** The HA link's channel API (replication between the two nodes). */
  HaChannels: createToken<HaChannels>('ha-channels'),
  /** How a node asks its arbiter for things (registered by the node runtime). */
  ArbiterClient: createToken<ArbiterClient>('arbiter-client'),
});

/** A node's line to its arbiter. */
export interface ArbiterClient {
  /**
   * Asks the arbiter to move the primary role away from this node (only the
   * primary may ask; the backup must be running). `by` names the asker.
   */
  requestSwitchover(reason: string, by: string): Promise<SwitchoverResult>;
}
