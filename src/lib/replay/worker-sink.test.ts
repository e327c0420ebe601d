import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { BatchWriter, KEYFRAME_BYTES } from './batch-writer.ts';
import type { ReplayDb } from './db.ts';
import { Recorder } from './recorder.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';
import { PortSink, serveBatches, transferables, type PortLike } from './worker-sink.ts';

const host = fakePeer('h', 'box', 'host');
const self = { id: 'me', name: 'Olivia', role: 'owner' };
let dbs: ReplayDb[] = [];
let ports: { close(): void }[] = [];
afterEach(() => {
  for (const d of dbs) d.close();
  for (const p of ports) p.close();
  dbs = [];
  ports = [];
});

/** Node's MessagePort as the DOM's: `message` events whose `data` is the message. */
function domPort(p: import('node:worker_threads').MessagePort): PortLike {
  const wrapped = new Map<(e: MessageEvent) => void, (data: unknown) => void>();
  ports.push(p);
  return {
    postMessage: (m, transfer) => p.postMessage(m, transfer as never),
    addEventListener: (_t, l) => {
      const w = (data: unknown) => l({ data } as MessageEvent);
      wrapped.set(l, w);
      p.on('message', w);
    },
    removeEventListener: (_t, l) => void p.off('message', wrapped.get(l)!)
  };
}

/** A recorder whose batches cross a real MessageChannel (structured clone, transfers) to a
 * BatchWriter on the other end, as the page's do to its worker. */
function setup() {
  const db = memoryDb();
  dbs.push(db);
  const { port1, port2 } = new MessageChannel();
  serveBatches(domPort(port2), (meta) => new BatchWriter(db, meta, headlessKit));
  let ended = 0;
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S1', self, kit: headlessKit, now: c.now, flushMs: 60_000, sink: (meta) => new PortSink(domPort(port1), meta, () => ended++) });
  return { db, src, c, rec, ended: () => ended };
}

describe('PortSink ↔ serveBatches', () => {
  it('writes the recorder’s batches on the other side, keyframes included, and moves output bytes rather than copying them', async () => {
    const { db, src, c, rec, ended } = setup();
    src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 40, rows: 10, data: '' } as never);
    const chunks: Uint8Array[] = [];
    for (let i = 1; i <= KEYFRAME_BYTES / 1024 + 1; i++) {
      c.advance(10);
      const data = new TextEncoder().encode(`${i}`.padEnd(1023, '.') + '\n');
      chunks.push(data);
      src.msg(host, 'terminal', { type: 'output', id: 1, seq: i, data } as never);
    }
    c.advance(500);
    await rec.flush();
    const meta = await db.recordings.get(rec.id);
    expect(meta?.events).toBe(chunks.length + 2);
    expect(await db.keyframes.count()).toBe(1);
    expect((await db.keyframes.toArray())[0].screens[0].data).toContain(`${KEYFRAME_BYTES / 1024}....`);
    const stored = (await db.events.toArray()).filter((e) => e.k === 'msg' && e.msg.type === 'output');
    expect(new TextDecoder().decode(((stored[0] as unknown as { msg: unknown }).msg as { data: Uint8Array }).data)).toMatch(/^1\.+\n$/);
    // the recorder's copies went to the writer: the live chunks are untouched, its copies moved
    expect(chunks[0].byteLength).toBe(1024);
    await rec.dispose();
    expect(ended()).toBe(1);
  });

  it('a failed writer (quota) stops the recording with the reason, and a gone worker fails every write', async () => {
    const { db, src, rec } = setup();
    const states: string[] = [];
    rec.status.on((s) => states.push(s.state));
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: 1, data: new Uint8Array([65]) } as never);
    await rec.flush();
    db.events.hook('creating', () => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: 2, data: new Uint8Array([66]) } as never);
    await rec.flush();
    expect(states).toEqual(['recording', 'full']);
    await rec.dispose();
    expect((await db.recordings.get(rec.id))?.stopped).toMatch(/storage is full/);

    const { port1 } = new MessageChannel();
    const sink = new PortSink(domPort(port1), (await db.recordings.get(rec.id))!);
    const pending = sink.write([{ k: 'marker', kind: 'x', label: 'y', rec: 'r', seq: 1, t: 0 }]);
    sink.fail('the recording’s worker failed: could not start');
    expect(await pending).toEqual({ ok: false, full: false, message: 'the recording’s worker failed: could not start' });
    expect(await sink.write([])).toMatchObject({ ok: false });
  });

  it('transfers only buffers a message owns whole (never a view into a shared frame)', () => {
    const own = new Uint8Array([1, 2, 3]);
    const view = new Uint8Array(new ArrayBuffer(16), 4, 4);
    const batch = [
      { k: 'msg', cap: 'terminal', from: 'h', msg: { type: 'output', id: 1, seq: 1, data: own }, rec: 'r', seq: 1, t: 0 },
      { k: 'msg', cap: 'terminal', from: 'h', msg: { type: 'output', id: 1, seq: 2, data: view }, rec: 'r', seq: 2, t: 0 }
    ] as never;
    expect(transferables(batch)).toEqual([own.buffer]);
  });
});
