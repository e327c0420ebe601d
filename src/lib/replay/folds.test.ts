import { describe, expect, it } from 'vitest';
import type { Sample } from '../protocol/metrics.ts';
import { REPLAY_SAMPLES, replayMetrics } from '../metrics/window.ts';
import { markersOf } from './markers.ts';
import { Player } from './player.ts';
import { RecordingReader } from './reader.ts';
import { Recorder } from './recorder.ts';
import { sizeOf } from './events.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

const host = fakePeer('h', 'box', 'host');
const T0 = 1_700_000_000_000;
const sample = (t: number, cpu: number): Sample => ({
  t, cpu, memUsedKb: 1000 + cpu, memTotalKb: 8000, swapUsedKb: 0, load: [0.1, 0.2, 0.3], diskReadBps: 0, diskWriteBps: 10, netRxBps: 5, netTxBps: 6,
  top: [{ pid: 1, name: 'init', cpu: 1, rssKb: 100 }, { pid: 2, name: 'node', cpu: cpu, rssKb: 200 }], costUs: 300
});

/** 10 minutes recorded: the join's window of 600 samples, then one sample a second (cpu = its second). */
async function record() {
  const db = memoryDb();
  const src = new FakeSource();
  const c = clock(T0);
  const rec = new Recorder({ db, source: src, session: 'S', self: { id: 'me', name: 'Me', role: 'editor' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
  src.msg(host, 'metrics', { type: 'window', intervalMs: 1000, cores: 2, traceId: null, samples: Array.from({ length: 600 }, (_, i) => sample(T0 - (600 - i) * 1000, 50)) } as never);
  src.msg(host, 'logs', { type: 'pins', pins: [] } as never);
  const line = { src: 1, seq: 7, t: T0, lv: 5, text: 'boom request_id=r-1' };
  for (let s = 1; s <= 600; s++) {
    c.advance(1000);
    src.msg(host, 'metrics', { type: 'sample', sample: sample(T0 + s * 1000, s % 100) } as never);
    if (s === 30) src.msg(host, 'logs', { type: 'pins', pins: [{ src: 1, seq: 7, line, note: '', by: { id: 'p2', name: 'Eddie', role: 'editor' } }] } as never);
    if (s % 60 === 0) await rec.flush();
  }
  await rec.dispose();
  return { db, id: rec.id };
}

describe('metrics and pins in a recording', () => {
  it('the replay state holds the samples up to the position, bounded, whether seeking or playing through', async () => {
    const { db, id } = await record();
    const reader = new RecordingReader(db, id);
    const meta = (await reader.meta())!;
    const player = new Player(reader, meta.length);
    const at = async (t: number) => {
      await player.seek(t);
      return replayMetrics(player.view().latest)!;
    };
    // 90 s in: the newest sample is second 90; the window's older samples (from before the recording) fill the rest
    let m = await at(90_000);
    expect(m.samples.length).toBe(REPLAY_SAMPLES);
    expect(m.samples.at(-1)!.t).toBe(T0 + 90_000);
    expect(m.cores).toBe(2);
    // backwards (from a keyframe), then forwards again
    m = await at(45_500);
    expect(m.samples.at(-1)!.t).toBe(T0 + 45_000);
    expect(m.samples.map((s) => s.cpu).slice(-3)).toEqual([43, 44, 45]);
    m = await at(400_000);
    expect(m.samples.at(-1)!.cpu).toBe(0);
    expect(m.samples[0].t).toBe(T0 + (400 - REPLAY_SAMPLES + 1) * 1000);
    // the busiest processes only on the newest sample: keyframes stay small
    expect(m.samples.at(-1)!.top.length).toBe(2);
    expect(m.samples.slice(0, -1).every((s) => s.top.length === 0)).toBe(true);
    let biggest = 0;
    await reader.eachKeyframe((k) => void (biggest = Math.max(biggest, sizeOf(k.latest))));
    expect(biggest).toBeLessThan(REPLAY_SAMPLES * 400);
    player.dispose();
  });

  it('a line pinned while recording is a marker; pins that were there before are not', async () => {
    const { db, id } = await record();
    const marks = markersOf(await new RecordingReader(db, id).marks()).filter((m) => m.kind === 'log-pin');
    expect(marks.map((m) => [m.t, m.label])).toEqual([[30_000, 'Pinned: boom request_id=r-1 (Eddie)']]);
  });
});
