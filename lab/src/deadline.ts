/** Resolves with `promise`'s value, or with undefined once `ms` have passed first. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
