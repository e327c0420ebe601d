import { describe, expect, it } from 'vitest';
import { plainText, search } from './search.ts';
import { RecordingReader } from './reader.ts';
import { Recorder } from './recorder.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

describe('search', () => {
  it('finds text across colours and chunk boundaries, with the time of each hit', async () => {
    const db = memoryDb();
    const src = new FakeSource();
    const c = clock();
    const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
    const host = fakePeer('h', 'box', 'host');
    const out = (seq: number, s: string) => src.msg(host, 'terminal', { type: 'output', id: 2, seq, data: new TextEncoder().encode(s) } as never);
    src.msg(host, 'terminal', { type: 'snapshot', id: 2, seq: 0, cols: 80, rows: 24, data: 'old Error in snapshot\r\n' } as never);
    c.advance(1000);
    out(1, 'all good\r\n');
    c.advance(1000);
    out(2, 'segfault: \x1b[31mERR');
    c.advance(1000);
    out(3, 'OR\x1b[0m at 0x0\r\n');
    await rec.dispose();
    const hits = await search(new RecordingReader(db, rec.id), 'error');
    expect(hits.map((h) => [h.t, h.term, h.excerpt])).toEqual([
      [0, 2, 'old Error in snapshot'],
      [3000, 2, 'segfault: ERROR at 0x0']
    ]);
    expect(plainText('\x1b]0;title\x07a\x1b[1;32mb')).toBe('ab');
  });
});
