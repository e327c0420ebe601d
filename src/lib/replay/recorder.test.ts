import { afterEach, describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { terminalProtocol } from '../protocol/terminal.ts';
import { Recorder, KEYFRAME_BYTES, KEYFRAME_MIN_MS, KEYFRAME_MS } from './recorder.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';
import { LOG_SAMPLE_LINES } from './samples.ts';
import type { ReplayDb } from './db.ts';

const host = fakePeer('h', 'box', 'host');
const enc = new TextEncoder();
const self = { id: 'me', name: 'Olivia', role: 'owner' };
let dbs: ReplayDb[] = [];
afterEach(() => {
  for (const d of dbs) d.close();
  dbs = [];
});

function setup() {
  const db = memoryDb();
  dbs.push(db);
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S1', self, kit: headlessKit, now: c.now, flushMs: 60_000 });
  return { db, src, c, rec };
}

/** Sends an output chunk as the router would hand it over: decoded from a whole frame. */
function output(src: FakeSource, id: number, seq: number, text: string): void {
  const frame = terminalProtocol.write({ type: 'output', id, seq, data: enc.encode(text) });
  src.msg(host, 'terminal', terminalProtocol.read(frame.subarray(1)));
}

describe('Recorder', () => {
  it('writes queued events in one batch with the meta, and copies message bytes out of their frame', async () => {
    const { db, src, c, rec } = setup();
    src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 80, rows: 24, exit: null }] } as never);
    src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 80, rows: 24, data: '$ ' } as never);
    c.advance(500);
    output(src, 1, 1, 'hello\r\n');
    src.peerJoined.fire(fakePeer('p2', 'Eddie'));
    c.advance(500);
    src.peerRenamed.fire(fakePeer('p2', 'Ed'));
    src.peerRenamed.fire(fakePeer('p2', 'Ed')); // told again: not a rename
    expect(await db.events.count()).toBe(0); // nothing written before the batch
    await rec.flush();
    const events = await db.events.where('[rec+seq]').between([rec.id, Dexie.minKey], [rec.id, Dexie.maxKey]).toArray();
    expect(events.map((e) => e.k)).toEqual(['self', 'msg', 'msg', 'msg', 'join', 'rename']);
    const out = events[3] as unknown as { msg: { data: Uint8Array } };
    expect(out.msg.data.buffer.byteLength).toBe('hello\r\n'.length);
    const meta = await db.recordings.get(rec.id);
    expect(meta).toMatchObject({ session: 'S1', length: 1000, events: 6, participants: ['Olivia', 'Eddie', 'Ed'] });
    expect((await db.marks.toArray()).map((m) => m.k)).toEqual(['self', 'join', 'rename']);
    await rec.dispose();
  });

  it('never records the mesh’s own messages or the share links (credentials, invites)', async () => {
    const { db, src, rec } = setup();
    src.msg(host, 'mesh', { type: 'hello', token: 'secret' } as never);
    src.msg(host, 'session', { type: 'links', links: { editor: 'https://x/#invite=secret' } } as never);
    await rec.dispose();
    expect((await db.events.toArray()).map((e) => e.k)).toEqual(['self']);
  });

  it('takes a keyframe of each terminal every KEYFRAME_BYTES of output, inside a batch too', async () => {
    const { db, src, c, rec } = setup();
    src.msg(host, 'terminal', { type: 'snapshot', id: 3, seq: 0, cols: 40, rows: 10, data: '' } as never);
    const line = 'x'.repeat(1023) + '\n';
    const perKf = KEYFRAME_BYTES / 1024;
    for (let i = 1; i <= 2 * perKf + 2; i++) {
      c.advance(10);
      output(src, 3, i, i === perKf ? '\x1b[2J\x1b[Hfirst-kf' + line.slice(8) : line);
    }
    output(src, 3, 1000, '\x1b[2J\x1b[Hend-of-batch');
    c.advance(100);
    await rec.flush();
    const kfs = await db.keyframes.toArray();
    // the snapshot and `self` come first (seq 1, 2): the perKf-th output is event perKf + 2
    expect(kfs.map((k) => k.seq)).toEqual([perKf + 2, 2 * perKf + 2]);
    expect(kfs[0].screens).toHaveLength(1);
    expect(kfs[0].screens[0]).toMatchObject({ id: 3, cols: 40, rows: 10 });
    expect(kfs[0].screens[0].data).toContain('first-kf');
    expect(kfs[0].self).toEqual(self);
    // what came after the last keyframe waits for the next one (by bytes, or KEYFRAME_MS later)
    expect(kfs[1].screens[0].data).not.toContain('end-of-batch');
    c.advance(KEYFRAME_MS);
    output(src, 3, 1001, '!');
    await rec.flush();
    const last = (await db.keyframes.toArray()).at(-1)!;
    expect(last.screens[0].data).toContain('end-of-batch!');
    await rec.dispose();
  });

  it('takes keyframes at most every KEYFRAME_MIN_MS, however fast the output comes', async () => {
    const { db, src, c, rec } = setup();
    const line = 'z'.repeat(1023) + '\n';
    // 10 keyframes' worth of output within 1 s of recording time
    for (let i = 1; i <= (10 * KEYFRAME_BYTES) / 1024; i++) {
      if (i % (KEYFRAME_BYTES / 1024) === 0) c.advance(100);
      output(src, 1, i, line);
    }
    await rec.dispose();
    const ts = (await db.keyframes.toArray()).map((k) => k.t);
    expect(ts.length).toBeGreaterThan(1);
    expect(ts.length).toBeLessThanOrEqual(1000 / KEYFRAME_MIN_MS);
    expect(ts.every((t, i) => i === 0 || t - ts[i - 1] >= KEYFRAME_MIN_MS)).toBe(true);
  });

  it('hands its batches to the sink it is given (the page’s worker), and stops, saying why, when the sink fails', async () => {
    const db = memoryDb();
    dbs.push(db);
    const src = new FakeSource();
    const batches: number[][] = [];
    let fail = false;
    const rec = new Recorder({
      db, source: src, session: 'S1', self, kit: headlessKit, flushMs: 60_000,
      sink: () => ({
        write: async (b) => {
          if (fail) throw new Error('the recording worker failed (it did not load)');
          batches.push(b.map((e) => e.seq));
          return { ok: true, bytes: 42 };
        },
        stopped: async () => {},
        dispose: async () => {}
      })
    });
    const states: string[] = [];
    rec.status.on((s) => states.push(`${s.state}${s.message ? `: ${s.message}` : ''}`));
    output(src, 1, 1, 'a');
    await rec.flush();
    fail = true;
    output(src, 1, 2, 'b');
    await rec.flush();
    expect(batches).toEqual([[1, 2]]);
    expect(states).toEqual(['recording', 'failed: Recording stopped: the recording worker failed (it did not load)']);
    expect(await db.events.count()).toBe(0); // nothing written here: the sink writes
    await rec.dispose();
  });

  it('puts finished commands (with exit codes) and checkpoints taken while recording on the timeline', async () => {
    const { db, src, c, rec } = setup();
    const cmd = (id: number, end: number | null, exit: number | null) =>
      src.msg(host, 'commands', { type: 'update', command: { id, term: 1, text: `make ${id}`, authors: [{ id: 'p2', name: 'Eddie', role: 'editor' }], cwd: '/', start: 1, end, exit } } as never);
    const snap = (id: number, label: string, source = 'request') => ({ id, label, time: 1, author: { id: 'p2', name: 'Eddie', role: 'editor' }, source });
    src.msg(host, 'env', { type: 'list', snapshots: [snap(1, 'start', 'start'), snap(2, 'old one')] } as never);
    cmd(1, null, null);
    c.advance(1000);
    cmd(1, 2, 0);
    cmd(1, 2, 0); // told again: one marker
    cmd(2, 3, 2);
    c.advance(1000);
    src.msg(host, 'env', { type: 'list', snapshots: [snap(1, 'start', 'start'), snap(2, 'old one'), snap(3, 'before deploy')] } as never);
    await rec.dispose();
    const marks = (await db.marks.toArray()).filter((m) => m.k === 'marker');
    expect(marks.map((m) => [m.t, m.k === 'marker' && m.kind, m.k === 'marker' && m.label])).toEqual([
      [1000, 'command', '$ make 1 → exit 0 (Eddie)'],
      [1000, 'command-failed', '$ make 2 → exit 2 (Eddie)'],
      [2000, 'checkpoint', 'Checkpoint: before deploy (Eddie)']
    ]);
  });

  it('stops when storage is full, says so, and keeps every earlier batch intact', async () => {
    const { db, src, rec } = setup();
    const statuses: string[] = [];
    rec.status.on((s) => statuses.push(s.state));
    output(src, 1, 1, 'first batch');
    await rec.flush();
    let full = false;
    db.events.hook('creating', () => {
      if (full) throw new DOMException('quota', 'QuotaExceededError');
    });
    full = true;
    output(src, 1, 2, 'second batch');
    src.peerJoined.fire(fakePeer('p3', 'Zed'));
    await rec.flush();
    expect(rec.state).toBe('full');
    expect(statuses).toEqual(['recording', 'full']);
    const events = await db.events.toArray();
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(await db.marks.count()).toBe(1);
    const meta = await db.recordings.get(rec.id);
    expect(meta?.events).toBe(2);
    expect(meta?.stopped).toMatch(/storage is full/);
    output(src, 1, 3, 'after'); // the live side goes on calling; nothing is queued
    await rec.dispose();
  });

  it('a recording whose page went away mid-batch holds everything up to its last batch', async () => {
    const { db, src, rec } = setup();
    output(src, 1, 1, 'kept');
    await rec.flush();
    output(src, 1, 2, 'lost with the tab');
    // the tab closes: no flush, no dispose
    const meta = await db.recordings.get(rec.id);
    expect(meta?.events).toBe(2);
    expect(await db.events.count()).toBe(2);
    await rec.dispose(); // (only to stop its timer)
  });
});

describe('Recorder: sampled messages (samples.ts)', () => {
  const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ src: 1, seq: from + i, t: 1, lv: 3, text: `line ${from + i}` }));
  const batch = (src: FakeSource, gen: number, from: number, n: number, skipped = 0) => src.msg(host, 'logs', { type: 'lines', gen, lines: lines(from, n), skipped, history: false } as never);

  it('keeps one log-lines message per batch with at most LOG_SAMPLE_LINES lines, the rest counted as skipped; every line at a readable rate', async () => {
    const { db, src, rec } = setup();
    src.msg(host, 'logs', { type: 'filter', gen: 1, filter: { text: 'GET' }, by: null, time: 1 } as never);
    for (let i = 0; i < 50; i++) batch(src, 1, 1 + i * 1000, 1000, i === 3 ? 7 : 0); // a flood: 50k lines in one batch
    await rec.flush();
    batch(src, 1, 60_001, 5); // a trickle: kept whole
    batch(src, 1, 60_006, 5);
    batch(src, 2, 1, 3); // a new filter's lines are a message of their own
    await rec.dispose();
    const logs = (await db.events.toArray()).filter((e) => e.k === 'msg' && e.cap === 'logs').map((e) => (e as unknown as { msg: { type: string; gen: number; lines: { seq: number }[]; skipped: number } }).msg);
    expect(logs.map((m) => m.type)).toEqual(['filter', 'lines', 'lines', 'lines']);
    expect(logs[1].lines).toHaveLength(LOG_SAMPLE_LINES);
    expect(logs[1].lines[0].seq).toBe(1);
    expect(logs[1].skipped).toBe(50_000 - LOG_SAMPLE_LINES + 7);
    expect(logs[2].lines.map((l) => l.seq)).toEqual([60_001, 60_002, 60_003, 60_004, 60_005, 60_006, 60_007, 60_008, 60_009, 60_010]);
    expect(logs[2].skipped).toBe(0);
    expect(logs[3]).toMatchObject({ gen: 2, skipped: 0 });
    expect(logs[3].lines).toHaveLength(3);
  });
});
