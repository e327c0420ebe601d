import { describe, expect, it } from 'vitest';
import { plainText, search } from './search.ts';
import { RecordingReader } from './reader.ts';
import { Recorder } from './recorder.ts';
import { MAX_PAGE_WORDS, PAGE_TEXT_CHARS } from './search-index.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

function recording() {
  const db = memoryDb();
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
  const host = fakePeer('h', 'box', 'host');
  let seq = 0;
  const out = (s: string) => src.msg(host, 'terminal', { type: 'output', id: 2, seq: ++seq, data: new TextEncoder().encode(s) } as never);
  src.msg(host, 'terminal', { type: 'snapshot', id: 2, seq: 0, cols: 80, rows: 24, data: 'old Error in snapshot\r\n' } as never);
  return { db, c, rec, out, reader: new RecordingReader(db, rec.id) };
}

describe('search', () => {
  it('finds text across colours and chunk boundaries (and batches), with the time of each hit', async () => {
    const { c, rec, out, reader } = recording();
    c.advance(1000);
    out('all good\r\n');
    c.advance(1000);
    out('segfault: \x1b[31mERR');
    await rec.flush(); // a batch (and an index page) ends inside the word
    c.advance(1000);
    out('OR\x1b[0m at 0x0\r\n');
    await rec.dispose();
    expect((await reader.meta())?.words).toBe(true);
    const hits = await search(reader, 'error');
    expect(hits.map((h) => [h.t, h.term, h.excerpt])).toEqual([
      [0, 2, 'old Error in snapshot'],
      [3000, 2, 'segfault: ERROR at 0x0']
    ]);
    expect((await search(reader, 'segfault: err')).map((h) => h.t)).toEqual([2000]);
    expect(plainText('\x1b]0;title\x07a\x1b[1;32mb')).toBe('ab');
  });

  it('reads only the index pages that have the word (and those too varied to index)', async () => {
    const { c, rec, out, reader } = recording();
    const filler = 'lorem ipsum dolor sit amet\r\n'.repeat(Math.ceil(PAGE_TEXT_CHARS / 28));
    for (let i = 0; i < 20; i++) {
      c.advance(1000);
      out(filler + (i === 7 ? 'kernel: needle found\r\n' : ''));
    }
    // a page of hex: more distinct words than the index keeps
    c.advance(1000);
    out(Array.from({ length: MAX_PAGE_WORDS + 10 }, (_, i) => `w${i.toString(16)}`).join(' ') + ' needles\r\n');
    await rec.dispose();
    const ranges: number[][] = [];
    const range = reader.range.bind(reader);
    reader.range = (from, to) => (ranges.push([from, to]), range(from, to));
    const hits = await search(reader, 'NEEDLE');
    expect(hits.map((h) => h.excerpt)).toEqual(['kernel: needle found', expect.stringMatching(/needles$/)]);
    expect(ranges.length).toBe(2);
    // a word is found by its start, not in the middle of another (but the unindexed page is read)
    expect((await search(reader, 'eedle')).map((h) => h.seq)).toEqual([hits[1].seq]);
  });

  it('reads a recording without an index (recorded before it existed) through', async () => {
    const { db, c, rec, out, reader } = recording();
    c.advance(1000);
    out('haystackneedle\r\n');
    await rec.dispose();
    await db.recordings.update(rec.id, { words: undefined });
    await db.words.clear();
    expect((await search(reader, 'eedle')).map((h) => h.excerpt)).toEqual(['haystackneedle']);
  });
});
