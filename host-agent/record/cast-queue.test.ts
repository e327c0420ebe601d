import { describe, expect, it } from 'vitest';
import { BATCH_MS } from './asciicast.ts';
import { CastQueue } from './cast-queue.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const o = (id: number, seq: number, text: string, at = seq) => ({ type: 'o' as const, id, seq, data: enc.encode(text), at });

describe('CastQueue', () => {
  it("merges a terminal's consecutive chunks into one item and keeps resizes, markers and other terminals in order", () => {
    const q = new CastQueue();
    q.push(o(1, 1, 'ab'));
    q.push(o(1, 2, 'cd'));
    q.push(o(2, 1, 'xy'));
    q.push(o(1, 3, 'ef'));
    q.push({ type: 'r', id: 1, cols: 10, rows: 5 });
    q.push(o(1, 4, 'gh'));
    const { items, buffer } = q.take();
    expect(q.empty).toBe(true);
    const shown = items.map((m) => (m.type === 'o' ? `${m.id}:${dec.decode(m.data)}@${m.at}` : m.type));
    expect(shown).toEqual(['1:abcd@1', '2:xy@1', '1:ef@3', 'r', '1:gh@4']);
    // a pause of BATCH_MS or more is kept
    q.push(o(1, 5, 'ij', 10));
    q.push(o(1, 6, 'kl', 10 + BATCH_MS));
    expect(q.take().items.map((m) => (m.type === 'o' ? `${dec.decode(m.data)}@${m.at}` : m.type))).toEqual(['ij@10', `kl@${10 + BATCH_MS}`]);
    // all bytes in the one buffer handed over
    for (const m of items) if (m.type === 'o') expect(m.data.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(10);
  });

  it('puts a marker right after the chunk that started the command, even when later output is queued', () => {
    const q = new CastQueue();
    q.push(o(1, 7, '$ make\r\n'));
    q.push(o(2, 3, 'other terminal'));
    q.push(o(1, 8, 'building…'));
    q.insert({ type: 'm', id: 1, label: 'make' }, 7);
    q.insert({ type: 'm', id: 2, label: 'late' }, 3);
    const shown = q.take().items.map((m) => (m.type === 'o' ? dec.decode(m.data) : m.type === 'm' ? `[${m.label}]` : m.type));
    expect(shown).toEqual(['$ make\r\n', 'other terminal', '[make]', 'building…', '[late]']);
  });

  it('copies the bytes: a chunk changed after take() does not change what was packed', () => {
    const q = new CastQueue();
    const chunk = o(1, 1, 'same');
    q.push(chunk);
    const { items } = q.take();
    chunk.data.fill(0x21);
    expect(dec.decode((items[0] as { data: Uint8Array }).data)).toBe('same');
  });

  it('packs into the buffer the worker gave back when it is large enough, else into a new one', () => {
    const q = new CastQueue();
    const spare = new ArrayBuffer(64);
    q.push(o(1, 1, 'abc'));
    const a = q.take(spare);
    expect(a.buffer).toBe(spare);
    expect(dec.decode((a.items[0] as { data: Uint8Array }).data)).toBe('abc');
    q.push(o(1, 2, 'x'.repeat(100)));
    const b = q.take(new ArrayBuffer(64));
    expect(b.buffer.byteLength).toBe(100);
  });
});
