import type { InjectionToken } from 'tsyringe';

/** A typed DI token. Symbols are registered with `Symbol.for` so two copies of a package agree. */
export type ServiceToken<T> = symbol & { readonly __service?: T };

export function createToken<T>(name: string): ServiceToken<T> {
  return Symbol.for(`switchyard:${name}`) as ServiceToken<T>;
}

export function tokenName(token: ServiceToken<unknown> | InjectionToken<unknown>): string {
  if (typeof token === 'symbol') return token.description?.replace(/^switchyard:/, '') ?? 'symbol';
  if (typeof token === 'string') return token;
  return (token as { name?: string }).name ?? 'anonymous';
}
