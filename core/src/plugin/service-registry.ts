import type { DependencyContainer } from 'tsyringe';
import { SwitchyardError } from '../errors';
import { tokenName, type ServiceToken } from '../tokens';
import type { ServiceRegistry } from './plugin-engine';

/** The owner named for tokens core registered in the container itself (clock, catalogue, HA channels, arbiter client). */
export const CORE_OWNER = 'core';

/**
 * Which plugin registered which service token in one engine's container.
 * A token belongs to whoever registered it first: its owner may register it
 * again (a new value), anyone else gets SWY_ERR_SERVICE_TAKEN, as Fastify
 * refuses a decorator that is already present. Plugins never see the
 * container itself, only {@link registryFor}'s registry.
 */
export class ServiceOwners {
  private readonly owners = new Map<ServiceToken<unknown>, string>();

  constructor(private readonly container: DependencyContainer) {}

  /** The plugin that registered `token`, `core` for core's own services, undefined when nobody did. */
  ownerOf(token: ServiceToken<unknown>): string | undefined {
    const owner = this.owners.get(token);
    if (owner !== undefined) return owner;
    return this.container.isRegistered(token, true) ? CORE_OWNER : undefined;
  }

  /** One plugin's door to the container: register its own services, resolve anyone's, with coded errors. */
  registryFor(plugin: string): ServiceRegistry {
    const { container } = this;
    return Object.freeze({
      register: <T>(token: ServiceToken<T>, value: T) => {
        const owner = this.ownerOf(token);
        if (owner !== undefined && owner !== plugin) {
          throw new SwitchyardError(
            'SWY_ERR_SERVICE_TAKEN',
            `Plugin "${plugin}" cannot register service "${tokenName(token)}": ` +
              (owner === CORE_OWNER ? 'core provides it' : `plugin "${owner}" registered it already`) +
              '; create a token of your own with createToken(), or resolve the existing service.',
            { details: { plugin, service: tokenName(token), owner } },
          );
        }
        this.owners.set(token, plugin);
        container.register(token, { useValue: value });
      },
      resolve: <T>(token: ServiceToken<T>): T => {
        if (!container.isRegistered(token, true)) {
          throw new SwitchyardError(
            'SWY_ERR_SERVICE_NOT_REGISTERED',
            `Service "${tokenName(token)}" is not registered (asked by plugin "${plugin}").`,
            { details: { plugin, service: tokenName(token) } },
          );
        }
        return container.resolve<T>(token);
      },
      has: (token: ServiceToken<unknown>) => container.isRegistered(token, true),
    });
  }
}
