import { describe, expect, it } from 'vitest';
import { Recorder, KEYFRAME_BYTES } from './recorder.ts';
import { RecordingReader } from './reader.ts';
import { Player } from './player.ts';
import { markersOf } from './markers.ts';
import { TermModel } from './term-model.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

const host = fakePeer('h', 'box', 'host');
const enc = new TextEncoder();

/** A recording: 60 s, one line of output every 100 ms, a join at 10 s, a rename at 20 s, a leave at 50 s. */
async function recordSession() {
  const db = memoryDb();
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
  src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 60, rows: 8, exit: null }] } as never);
  src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 60, rows: 8, data: 'start\r\n' } as never);
  const eddie = fakePeer('p2', 'Eddie');
  const filler = 'y'.repeat(Math.ceil(KEYFRAME_BYTES / 100));
  for (let i = 1; i <= 600; i++) {
    c.advance(100);
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: i, data: enc.encode(`line ${i} \x1b[8m${filler}\x1b[0m\x1b[2K\r\n`) } as never);
    if (i === 100) src.peerJoined.fire(eddie);
    if (i === 200) src.peerRenamed.fire(fakePeer('p2', 'Edward'));
    if (i === 500) src.peerGone.fire({ peer: eddie, reason: { kind: 'bye' } });
    if (i % 50 === 0) await rec.flush();
  }
  await rec.dispose();
  return { db, id: rec.id };
}

async function openPlayer(db: ReturnType<typeof memoryDb>, id: string) {
  const reader = new RecordingReader(db, id);
  const meta = (await reader.meta())!;
  const player = new Player(reader, meta.length);
  const term = new TermModel(headlessKit, 60, 8);
  player.screen(1).attach(term);
  return { reader, player, term, meta };
}

async function screenAt(player: Player, term: TermModel, t: number): Promise<string> {
  await player.seek(t);
  await term.settled();
  return term.serialize().replace(/\x1b\[[0-9;]*[a-zA-Z]/g, '');
}

describe('Player', () => {
  it('lists the markers, and seeks from the nearest keyframe to the same screen as playing through', async () => {
    const { db, id } = await recordSession();
    const { reader, player, term, meta } = await openPlayer(db, id);
    expect(meta.length).toBe(60_000);
    expect(markersOf(await reader.marks()).map((m) => [m.kind, m.t, m.label])).toEqual([
      ['join', 10_000, 'Eddie joined (editor)'],
      ['rename', 20_000, 'Eddie is now Edward'],
      ['leave', 50_000, 'Edward left']
    ]);
    expect(await db.keyframes.count()).toBeGreaterThan(5);

    const reads: number[] = [];
    const span = reader.span.bind(reader);
    reader.span = (after, afterT, until) => (reads.push(after), span(after, afterT, until));
    const backward = await screenAt(player, term, 35_050);
    expect(backward).toContain('line 350');
    expect(backward).not.toContain('line 351');
    expect(reads[0]).toBeGreaterThan(100); // started from a keyframe, not from seq 0

    // the same moment reached by seeking forward from the start in small steps
    const { player: p2, term: t2 } = await openPlayer(db, id);
    for (let t = 0; t <= 35_050; t += 5_000) await p2.seek(t);
    expect(await screenAt(p2, t2, 35_050)).toBe(backward);
    expect(player.view().people.map((p) => p.name)).toEqual(['Edward']);
    await screenAt(player, term, 55_000);
    expect(player.view().people).toEqual([]);
    expect(player.view().terminals.map((t) => t.id)).toEqual([1]);
  });

  it('with the keyframe index, reads no keyframe twice and shows the same screens', async () => {
    const { db, id } = await recordSession();
    const plain = await openPlayer(db, id);
    const indexed = await openPlayer(db, id);
    await indexed.reader.indexKeyframes();
    const lookups: number[] = [];
    const keyframeAt = indexed.reader.keyframeAt.bind(indexed.reader);
    indexed.reader.keyframeAt = (t) => (lookups.push(t), keyframeAt(t));
    const gets: unknown[] = [];
    const get = db.keyframes.get.bind(db.keyframes);
    db.keyframes.get = ((k: never) => (gets.push(k), get(k))) as typeof db.keyframes.get;
    for (const t of [35_050, 12_345, 41_000, 12_400, 35_050, 3_000, 30, 58_500]) {
      expect(await screenAt(indexed.player, indexed.term, t)).toBe(await screenAt(plain.player, plain.term, t));
      expect(indexed.player.view().people).toEqual(plain.player.view().people);
    }
    // past the last keyframe the index cannot tell: looked up there only
    expect(lookups).toEqual([58_500]);
    // read once each: 35_050, 12_345, 41_000; back to 12_400 and 35_050 from memory; 3_000 and 30
    // start from the beginning (no keyframe before 10 s); 58_500's came from the lookup
    expect(gets.length).toBe(3);
  });

  it('plays at 16x to the end and stops', async () => {
    const { db, id } = await recordSession();
    const { player } = await openPlayer(db, id);
    await player.seek(59_000);
    player.speed = 16;
    player.play();
    await new Promise<void>((r) => player.changed.on((v) => !v.playing && r()));
    expect(player.t).toBe(60_000);
  });
});
