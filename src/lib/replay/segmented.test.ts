import { describe, expect, it } from 'vitest';
import { RecordingReader } from './reader.ts';
import { KEYFRAME_BYTES, Recorder } from './recorder.ts';
import { segmented } from './segmented.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

type Ev = [number, string, string];

describe('segmented export (asciinema-player 3.17)', () => {
  it('one segment per keyframe, each starting from that keyframe’s screen, within the player’s rules', async () => {
    const db = memoryDb();
    const src = new FakeSource();
    const c = clock();
    const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
    const host = fakePeer('h', 'box', 'host');
    src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 60, rows: 10, exit: null }] } as never);
    src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 60, rows: 10, data: '$ ' } as never);
    const line = (n: number) => `line ${n} ${'y'.repeat(1000)}\r\n`;
    for (let n = 1; n <= (3 * KEYFRAME_BYTES) / 1000; n++) {
      c.advance(10);
      src.msg(host, 'terminal', { type: 'output', id: 1, seq: n, data: new TextEncoder().encode(line(n)) } as never);
      if (n === 150) src.peerJoined.fire(fakePeer('p2', 'Eddie'));
    }
    c.advance(500);
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: 999, data: new TextEncoder().encode('the end\r\n') } as never);
    await rec.dispose();
    const reader = new RecordingReader(db, rec.id);
    const files = await segmented(reader, 1);
    const index = JSON.parse(files[0].text) as { version: number; duration: number; term: { cols: number; rows: number }; segments: { start: number; url: string }[]; markers: [number, string][] };
    expect(files[0].name).toBe('index.json');
    expect(index).toMatchObject({ version: 1, duration: (await reader.meta())!.length / 1000, term: { cols: 60, rows: 10 } });
    expect(index.segments.length).toBe(1 + (await db.keyframes.count()));
    expect(index.segments.length).toBeGreaterThanOrEqual(3);
    expect(index.markers).toEqual([[1.5, 'Eddie joined (editor)']]);
    const segs = files.slice(1).map((f) => JSON.parse(f.text) as { snapshot: { cols: number; rows: number; init: string }; events: Ev[] });
    expect(files.slice(1).map((f) => f.name)).toEqual(index.segments.map((s) => s.url));
    let all = '';
    segs.forEach((s, i) => {
      const start = index.segments[i].start;
      const end = index.segments[i + 1]?.start ?? index.duration;
      expect(s.events.length).toBeGreaterThan(0);
      if (i > 0) expect(s.events[0][0]).toBe(start);
      expect(s.events.every(([t], j) => t >= start && (i + 1 < segs.length ? t < end : t <= end) && (j === 0 || t >= s.events[j - 1][0]))).toBe(true);
      if (i > 0) expect(s.snapshot.init).toContain('line'); // the keyframe's screen
      all += s.events.map((e) => e[2]).join('');
    });
    expect(segs.at(-1)!.events.at(-1)![0]).toBe(index.duration);
    expect(segs[0].snapshot.init).toBe('$ ');
    expect(all).toContain('the end');
    // nothing twice: every line is in exactly one segment's events or covered by a snapshot
    for (let n = 1; n <= 10; n++) expect(all.split(`line ${n} `).length - 1).toBeLessThanOrEqual(1);
    db.close();
  });
});
