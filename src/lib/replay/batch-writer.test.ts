import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter, MAX_LAG_MS, QUIET_BATCH_BYTES } from './batch-writer.ts';
import type { ReplayDb } from './db.ts';
import { Player } from './player.ts';
import { RecordingReader } from './reader.ts';
import { Recorder } from './recorder.ts';
import { search } from './search.ts';
import { TermModel } from './term-model.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

const host = fakePeer('h', 'box', 'host');
const enc = new TextEncoder();
let dbs: ReplayDb[] = [];
afterEach(() => {
  for (const d of dbs) d.close();
  dbs = [];
});

/** A recorder whose batches go to a BatchWriter, lazy (the worker's) or not. */
function setup(lazy: boolean) {
  const db = memoryDb();
  dbs.push(db);
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000, sink: (meta) => new BatchWriter(db, meta, headlessKit, { lazy }) });
  src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 60, rows: 8, exit: null }] } as never);
  src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 60, rows: 8, data: '$ ' } as never);
  let seq = 0;
  /** one batch (a flush) of output: `kb` KiB in 1-KiB lines 10 ms apart, then `last` */
  const batch = async (kb: number, last: string) => {
    for (let i = 0; i < kb; i++) {
      c.advance(10);
      src.msg(host, 'terminal', { type: 'output', id: 1, seq: ++seq, data: enc.encode(`${seq} `.padEnd(1022, '.') + '\r\n') } as never);
    }
    c.advance(10);
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: ++seq, data: enc.encode(last) } as never);
    await rec.flush();
  };
  const reader = new RecordingReader(db, rec.id);
  return { db, c, rec, batch, reader };
}

const busyKb = (2 * QUIET_BATCH_BYTES) / 1024;

async function screenAtEnd(reader: RecordingReader): Promise<string> {
  const meta = (await reader.meta())!;
  const player = new Player(reader, meta.length);
  const term = new TermModel(headlessKit, 60, 8);
  player.screen(1).attach(term);
  await player.seek(meta.length);
  await term.settled();
  const text = term.serialize().replace(/\x1b\[[0-9;]*[a-zA-Z]/g, '');
  player.dispose();
  term.dispose();
  return text;
}

describe('BatchWriter, lazy (the recording worker’s)', () => {
  it('stores a busy batch’s events at once and models them once output is quiet: the same keyframes and index as modelling each batch', async () => {
    const eager = setup(false);
    const lazy = setup(true);
    for (const r of [eager, lazy]) {
      await r.batch(busyKb, 'first burst\r\n');
      await r.batch(busyKb, 'second burst\r\n');
    }
    // stored, playable and counted, but not modelled yet
    const meta = (await lazy.reader.meta())!;
    expect(meta.events).toBe((await eager.reader.meta())!.events);
    expect(await lazy.db.events.count()).toBe(meta.events);
    expect(await lazy.db.keyframes.count()).toBe(0);
    expect(await eager.db.keyframes.count()).toBeGreaterThan(2);
    expect(meta.indexed ?? 0).toBeLessThan(meta.events);

    for (const r of [eager, lazy]) await r.batch(1, 'quiet now\r\n');
    await vi.waitFor(async () => {
      const m = (await lazy.reader.meta())!;
      expect(m.indexed).toBe(m.events);
    });
    const kfs = async (db: ReplayDb) => (await db.keyframes.toArray()).map((k) => [k.seq, k.t, k.screens]);
    expect(await kfs(lazy.db)).toEqual(await kfs(eager.db));
    expect((await search(lazy.reader, 'burst')).map((h) => h.seq)).toEqual((await search(eager.reader, 'burst')).map((h) => h.seq));
    expect((await lazy.reader.meta())!.bytes).toBe((await eager.reader.meta())!.bytes);
    await Promise.all([eager.rec.dispose(), lazy.rec.dispose()]);
  });

  it('a recording whose page closed before its model caught up plays to its last batch, and search reads its end through', async () => {
    const { db, rec, batch, reader } = setup(true);
    await batch(1, 'quiet start\r\n');
    await vi.waitFor(async () => expect((await reader.meta())!.indexed).toBe((await reader.meta())!.events));
    await batch(busyKb, 'needle in the burst\r\n');
    await batch(busyKb, 'last words\r\n');
    // the page goes away here: what is on disk
    const meta = (await reader.meta())!;
    expect(meta.indexed).toBeLessThan(meta.events);
    expect(await screenAtEnd(reader)).toContain('last words');
    const hits = await search(reader, 'needle');
    expect(hits.map((h) => h.excerpt)).toEqual(['needle in the burst']);
    expect((await search(reader, 'quiet')).map((h) => h.excerpt)).toEqual(['quiet start']);
    // a recording that ends normally is modelled whole
    const kfsBefore = await db.keyframes.count();
    await rec.dispose();
    const after = (await reader.meta())!;
    expect(after.indexed).toBe(after.events);
    expect(await db.keyframes.count()).toBeGreaterThan(kfsBefore);
    expect((await search(reader, 'needle')).map((h) => h.excerpt)).toEqual(['needle in the burst']);
  });

  it('models output that pours on once it is MAX_LAG_MS behind, without waiting for quiet', async () => {
    const { db, c, rec, batch, reader } = setup(true);
    await batch(busyKb, 'busy\r\n');
    expect(await db.keyframes.count()).toBe(0);
    c.advance(MAX_LAG_MS);
    await batch(busyKb, 'still busy\r\n');
    await vi.waitFor(async () => expect((await reader.meta())!.indexed).toBeGreaterThan(0));
    expect(await db.keyframes.count()).toBeGreaterThan(0);
    await rec.dispose();
  });
});
