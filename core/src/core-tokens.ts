import type { Clock } from './clock';
import type { LogEventCatalogue } from './events/catalogue';
import type { Engine } from './engine/engine';
import type { HaChannels } from './halink/channel';
import { createToken } from './tokens';

/** Services core registers in every engine's container. */
export const CoreTokens = Object.freeze({
  Clock: createToken<Clock>('clock'),
  Catalogue: createToken<LogEventCatalogue>('catalogue'),
  Engine: createToken<Engine>('engine'),
  /** The HA link's channel API (replication between the two nodes). */
  HaChannels: createToken<HaChannels>('ha-channels'),
});
