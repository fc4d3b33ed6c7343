import type { AsyncSeriesBailHook, Hook } from 'tapable';
import { SwitchyardError } from '../errors';
import { withTimeout, type Clock } from '../clock';
import type { EngineHooks, HookName } from '../engine/hooks';
import type { SlowWork } from '../node/loop-lag';

/** Options a plugin may give a tap. The tap's name is always the plugin's. */
export interface TapOptions {
  /** Sub-name, shown as `<plugin>/<name>` in errors. */
  name?: string;
  /** Order; use {@link HookStage}. */
  stage?: number;
}

// Every tapable hook has `promise(...args): Promise<R>`; read its argument list and result from it.
type ArgList<H> = H extends { promise(...args: infer A): Promise<unknown> } ? A : never;
type Result<H> = H extends { promise(...args: never[]): Promise<infer R> } ? R : never;

/** A hook as a plugin sees it: it can tap, never call. */
export interface SyncTapView<H> {
  tap(options: string | TapOptions, fn: (...args: ArgList<H>) => Result<H>): void;
}
export interface AsyncTapView<H> extends SyncTapView<H> {
  tapPromise(options: string | TapOptions, fn: (...args: ArgList<H>) => Promise<Result<H>>): void;
}

const SYNC_HOOKS = new Set<HookName>(['health', 'logEvent', 'statusReport', 'peerState', 'arbiterConnection']);

export type PluginHooks = {
  readonly [K in HookName]: K extends 'health' | 'logEvent' | 'statusReport' | 'peerState' | 'arbiterConnection'
    ? SyncTapView<EngineHooks[K]>
    : AsyncTapView<EngineHooks[K]>;
};

export interface HookViewOptions {
  plugin: string;
  clock: Clock;
  /** Seconds a `start`/`stop` tap may take before it fails with SWY_ERR_PLUGIN_TIMEOUT. */
  lifecycleTimeout: number;
  /** Where the synchronous time of each tap is noted, for slow-loop reports to name a culprit. */
  slowWork?: SlowWork;
}

/** Wraps a tap's failure with the plugin's and hook's names (the cause kept). */
export function hookError(plugin: string, hook: string, cause: unknown): SwitchyardError {
  if (cause instanceof SwitchyardError && cause.code === 'SWY_ERR_PLUGIN_HOOK_FAILED') return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError('SWY_ERR_PLUGIN_HOOK_FAILED', `Plugin "${plugin}" failed in hook "${hook}": ${text}`, {
    cause,
    details: { plugin, hook },
  });
}

/**
 * Builds the tap-only view of `hooks` for one plugin. Every tap is named
 * after the plugin; every failure is wrapped with plugin and hook names;
 * `start`/`stop` taps get a timeout; `stop` taps run in reverse order of
 * tapping (children before parents).
 */
export function createHookView(hooks: EngineHooks, options: HookViewOptions): PluginHooks {
  const view: Record<string, unknown> = {};
  for (const hookName of Object.keys(hooks) as HookName[]) {
    const hook = hooks[hookName] as unknown as Hook<unknown[], unknown>;
    const tapOptions = (given: string | TapOptions) => {
      const sub = typeof given === 'string' ? given : given.name;
      const name = sub && sub !== options.plugin ? `${options.plugin}/${sub}` : options.plugin;
      const stage = typeof given === 'string' ? undefined : given.stage;
      const before =
        hookName === 'stop' ? (hook as unknown as { taps: { name: string }[] }).taps.map((t) => t.name) : undefined;
      // tapable accepts an array for `before` at run time; its typings say string.
      return { name, stage, before: (before && before.length > 0 ? before : undefined) as unknown as string | undefined };
    };
    const entry: Record<string, unknown> = {
      tap: (given: string | TapOptions, fn: (...a: unknown[]) => unknown) => {
        hook.tap(tapOptions(given), (...a: unknown[]) => {
          const started = performance.now();
          try {
            return fn(...a);
          } catch (error) {
            throw hookError(options.plugin, hookName, error);
          } finally {
            options.slowWork?.note(`plugin "${options.plugin}", hook "${hookName}"`, performance.now() - started);
          }
        });
      },
    };
    if (!SYNC_HOOKS.has(hookName)) {
      entry.tapPromise = (given: string | TapOptions, fn: (...a: unknown[]) => Promise<unknown>) => {
        const timed = hookName === 'start' || hookName === 'stop';
        (hook as unknown as AsyncSeriesBailHook<unknown[], unknown>).tapPromise(tapOptions(given), async (...a: unknown[]) => {
          try {
            const started = performance.now();
            const run = fn(...a); // its synchronous part blocks the loop
            options.slowWork?.note(`plugin "${options.plugin}", hook "${hookName}"`, performance.now() - started);
            return timed ? await lifecycleTimeout(run, options, hookName) : await run;
          } catch (error) {
            throw hookError(options.plugin, hookName, error);
          }
        });
      };
    }
    view[hookName] = Object.freeze(entry);
  }
  return Object.freeze(view) as unknown as PluginHooks;
}

function lifecycleTimeout<T>(run: Promise<T>, options: HookViewOptions, hookName: string): Promise<T> {
  return withTimeout(
    options.clock,
    options.lifecycleTimeout * 1000,
    run,
    () =>
      new SwitchyardError('SWY_ERR_PLUGIN_TIMEOUT', `Plugin "${options.plugin}" did not finish hook "${hookName}" within ${options.lifecycleTimeout}s.`, {
        details: { plugin: options.plugin, hook: hookName },
      }),
  );
}
