import type { DependencyContainer } from 'tsyringe';
import { SwitchyardError } from '../errors';
import { tokenName, type ServiceToken } from '../tokens';
import type { ServiceRegistry } from './plugin-engine';

/** One plugin's door to the engine's container: register and resolve services by token, with coded errors. */
export function createServiceRegistry(container: DependencyContainer, plugin: string): ServiceRegistry {
  return Object.freeze({
    register: <T>(token: ServiceToken<T>, value: T) => {
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
