import fc from 'fast-check';
import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { ContactStore, type Binding, type BindingChange } from '../src/store';
import { binding } from './store-fixtures';

type Op =
  | { t: 'upsert'; aor: number; contact: number; ttl: number; q?: number }
  | { t: 'remove'; aor: number; contact: number }
  | { t: 'clear'; aor: number }
  | { t: 'advance'; ms: number }
  | { t: 'replace'; keep: boolean[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('upsert' as const), aor: fc.nat(3), contact: fc.nat(3), ttl: fc.integer({ min: 1, max: 20 }), q: fc.option(fc.constantFrom(0.1, 0.5, 1), { nil: undefined }) }, { requiredKeys: ['t', 'aor', 'contact', 'ttl'] }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('remove' as const), aor: fc.nat(3), contact: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const), aor: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 16 }).map((n) => n * 500) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replace' as const), keep: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }) }) },
);

const aorOf = (i: number) => `sip:u${i}@example.com`;
const contactOf = (i: number) => `sip:c${i}@192.0.2.1`;
const key = (b: Binding) => `${b.aor} ${b.contact} ${b.expiresAt} ${b.q ?? '-'} ${b.updatedAt}`;

/**
 * The store against a plain map that filters expired entries on read: same
 * content after any sequence of operations and clock moves; followers that
 * apply the emitted changes (with and without an expiry timer) stay equal
 * too, expiry being silent.
 */
describe('ContactStore against a model', () => {
  it('keeps the model’s content, expiry included, and its change stream reproduces it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), async (ops) => {
        const clock = new ManualClock();
        const store = new ContactStore(clock);
        const follower = new ContactStore(clock);
        store.onChange((change: BindingChange) => follower.apply(change, 'replica'));
        // Without its timer (as the journal uses it), expiry happens on reads only.
        const lazy = new ContactStore(clock);
        lazy.close();
        store.onChange((change: BindingChange) => lazy.apply(change, 'replica'));
        const model = new Map<string, Binding>();
        const live = () => [...model.values()].filter((b) => b.expiresAt > clock.now());
        for (const op of ops) {
          switch (op.t) {
            case 'upsert': {
              const b = binding(clock.now(), { aor: aorOf(op.aor), contact: contactOf(op.contact), ttl: op.ttl, ...(op.q === undefined ? {} : { q: op.q }) });
              store.upsert(b);
              model.set(`${b.aor} ${b.contact}`, b);
              break;
            }
            case 'remove':
              store.remove(aorOf(op.aor), contactOf(op.contact));
              model.delete(`${aorOf(op.aor)} ${contactOf(op.contact)}`);
              break;
            case 'clear':
              store.clearAor(aorOf(op.aor));
              for (const k of [...model.keys()]) if (k.startsWith(`${aorOf(op.aor)} `)) model.delete(k);
              break;
            case 'advance':
              await clock.advance(op.ms);
              break;
            case 'replace': {
              const next = live().filter((_, i) => op.keep[i % op.keep.length]);
              store.replaceAll(next, 'local');
              model.clear();
              for (const b of next) model.set(`${b.aor} ${b.contact}`, b);
              break;
            }
          }
          const expected = live().map(key).sort();
          expect(store.all().map(key).sort()).toEqual(expected);
          expect(follower.all().map(key).sort()).toEqual(expected);
          expect(lazy.all().map(key).sort()).toEqual(expected);
          expect(store.count).toBe(expected.length);
          // The digest is the content's, whatever order it was made in (a fresh store given it in reverse agrees).
          const fresh = new ContactStore(clock);
          fresh.replaceAll(live().reverse(), 'local');
          fresh.close();
          expect(store.digest()).toBe(fresh.digest());
          expect(follower.digest()).toBe(fresh.digest());
          expect(lazy.digest()).toBe(fresh.digest());
          for (let aor = 0; aor < 4; aor++) {
            const listed = store.bindings(aorOf(aor));
            for (let i = 1; i < listed.length; i++) {
              const [prev, cur] = [listed[i - 1]!, listed[i]!];
              expect((prev.q ?? 1) > (cur.q ?? 1) || ((prev.q ?? 1) === (cur.q ?? 1) && prev.updatedAt >= cur.updatedAt)).toBe(true);
            }
          }
        }
        await clock.advance(30_000);
        expect(store.count).toBe(0);
        expect(clock.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
