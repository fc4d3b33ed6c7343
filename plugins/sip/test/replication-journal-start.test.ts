import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoopbackChannels, ManualClock, createTestNode, type TestNode } from '@switchyard/sdk';
import { freePort, waitFor } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import sipPlugin, { type SipStatus } from '../src/index';
import { BindingJournal, ContactStore } from '../src/store';
import { binding } from './store-fixtures';

/** More bindings than one load chunk (20,000): a journal load takes several turns of the event loop. */
const COUNT = 45_000;

/** A journal of COUNT bindings, in a node's data folder (the plugin's own: `<dataDir>/sip`). */
async function writeJournal(dataDir: string, clock: ManualClock, host: string): Promise<void> {
  const store = new ContactStore(clock);
  const journal = new BindingJournal({ dir: path.join(dataDir, 'sip'), clock });
  await journal.loadInto(store, 'local');
  const now = clock.now();
  store.replaceAll(
    Array.from({ length: COUNT }, (_, i) => binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@${host}` })),
    'local',
  );
  await journal.compact();
  await journal.close();
  store.close();
}

const sipOf = (node: TestNode) => node.engine.report().sip as SipStatus;

describe('a backup that restarts with a journal while its peer is primary', () => {
  const dirs: string[] = [];
  const nodes: TestNode[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the primary’s content only once its own journal is loaded: it ends up holding exactly the primary’s bindings', async () => {
    const clock = new ManualClock();
    const [chA, chB] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-journal-start-a-'));
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-journal-start-b-'));
    dirs.push(dirA, dirB);
    // The same AORs; the primary has newer Contacts (host "new"), the backup's journal the old ones.
    await writeJournal(dirA, clock, 'new');
    await writeJournal(dirB, clock, 'old');
    const make = async (id: string, dataDir: string, channels: LoopbackChannels) =>
      createTestNode({ nodeId: id, clock, channels, dataDir, plugins: [[sipPlugin, {}]], nodeOptions: { sip: { port: await freePort() } } });
    const a = await make('node-a', dirA, chA);
    nodes.push(a);
    await a.start();
    await a.order('primary', 1);

    const b = await make('node-b', dirB, chB);
    nodes.push(b);
    // Its role arrives while it is still loading its journal, as an arbiter's order does in a real node.
    const starting = b.start();
    await b.order('backup', 1);
    await starting;
    // The primary's content arrives a part a turn. Had it landed during the load, the rest of the load would have put the journal's back over it.
    await waitFor(() => (sipOf(b).replication.inSync ? true : undefined), 10_000, 'the backup in sync');
    expect(sipOf(b).bindings).toBe(COUNT);
    // What it holds (its journal records its store): the primary's Contacts, every one.
    await b.stop();
    nodes.splice(nodes.indexOf(b), 1);
    const held = new ContactStore(clock);
    const journal = new BindingJournal({ dir: path.join(dirB, 'sip'), clock });
    await journal.loadInto(held, 'local');
    await journal.close();
    const contacts = held.all().map((x) => x.contact);
    held.close();
    expect(contacts).toHaveLength(COUNT);
    expect(contacts.filter((c) => !c.endsWith('@new'))).toEqual([]);
  });
});
