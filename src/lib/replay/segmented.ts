/**
 * One terminal of a recording in asciinema-player's segmented format (3.17+,
 * `AsciinemaPlayer.create({ url: 'index.json', format: 'segmented' }, el)`): an index
 *
 *   { version: 1, duration, term: { cols, rows }, segments: [{ start, url }], markers: [[t, label]] }
 *
 * and one file per segment, `{ snapshot: { cols, rows, init }, events: [[t, code, data]] }`, times
 * in seconds from the start of the recording. Our keyframes are the segments: a segment starts at a
 * keyframe with that terminal's serialized screen as its `init`, so the player seeks by loading
 * one segment instead of replaying from the start. The player's rules: the first segment starts at
 * 0, starts strictly increase, a later segment's first event is at its start, every event lies in
 * [start, next start), and the last segment's last event is at the duration.
 */
import type { TermInfo } from '../protocol/terminal.ts';
import { markersOf } from './markers.ts';
import type { RecordingReader } from './reader.ts';

export interface SegmentedFile {
  name: string;
  text: string;
}

type CastEvent = [number, 'o' | 'r', string];

interface Segment {
  start: number;
  /** the keyframe's seq (events up to it are in the snapshot) */
  seq: number;
  snapshot: { cols: number; rows: number; init: string };
  events: CastEvent[];
}

interface TermMsg {
  type: string;
  id: number;
  cols: number;
  rows: number;
  data: Uint8Array | string;
  list: TermInfo[];
}

const sec = (ms: number) => Math.round(ms) / 1000;

/** index.json and segments/NNNN.json of terminal `termId`. */
export async function segmented(reader: RecordingReader, termId: number): Promise<SegmentedFile[]> {
  const meta = await reader.meta();
  if (!meta) throw new Error('this recording is gone');
  const duration = sec(meta.length);
  // the segments: the start, then each keyframe that has this terminal (the last one of a ms)
  const starts: Segment[] = [];
  await reader.eachKeyframe((k) => {
    const s = k.screens.find((x) => x.id === termId);
    const start = sec(k.t);
    if (!s || start <= 0 || start >= duration) return;
    if (starts.at(-1)?.start === start) starts.pop();
    starts.push({ start, seq: k.seq, snapshot: { cols: s.cols, rows: s.rows, init: s.data }, events: [[start, 'o', '']] });
  });
  const segs: Segment[] = [{ start: 0, seq: 0, snapshot: { cols: 80, rows: 24, init: '' }, events: [[0, 'o', '']] }, ...starts];
  let i = 0;
  let size: { cols: number; rows: number } | null = null;
  const dec = new TextDecoder();
  await reader.each((e) => {
    if (e.k !== 'msg' || e.cap !== 'terminal') return;
    while (i + 1 < segs.length && e.seq > segs[i + 1].seq) i++;
    // at a keyframe's own ms and in its snapshot already: the next segment shows it
    const covered = i + 1 < segs.length && sec(e.t) >= segs[i + 1].start;
    const m = e.msg as TermMsg;
    const push = (ev: CastEvent) => !covered && segs[i].events.push(ev);
    if (m.type === 'terms') {
      const info = m.list.find((t) => t.id === termId);
      if (!info) return;
      if (!size) segs[0].snapshot = { ...segs[0].snapshot, cols: info.cols, rows: info.rows };
      else if (info.cols !== size.cols || info.rows !== size.rows) push([sec(e.t), 'r', `${info.cols}x${info.rows}`]);
      size = { cols: info.cols, rows: info.rows };
    } else if (m.id === termId && m.type === 'snapshot') {
      // the screen when this browser joined starts the first segment; a later one (a resync) resets
      if (i === 0 && segs[0].events.length === 1) segs[0].snapshot = { cols: m.cols, rows: m.rows, init: m.data as string };
      else push([sec(e.t), 'o', '\x1bc' + (m.data as string)]);
      size = { cols: m.cols, rows: m.rows };
    } else if (m.id === termId && m.type === 'output') {
      const text = dec.decode(m.data as Uint8Array, { stream: true });
      if (text) push([sec(e.t), 'o', text]);
    }
  });
  const last = segs[segs.length - 1];
  if (last.events.at(-1)?.[0] !== duration) last.events.push([duration, 'o', '']);
  const markers = markersOf(await reader.marks())
    .filter((m) => m.t <= meta.length)
    .map((m) => [sec(m.t), m.label]);
  const name = (n: number) => `segments/${String(n).padStart(5, '0')}.json`;
  const index = {
    version: 1,
    duration,
    term: { cols: segs[0].snapshot.cols, rows: segs[0].snapshot.rows },
    segments: segs.map((s, n) => ({ start: s.start, url: name(n) })),
    markers
  };
  return [{ name: 'index.json', text: JSON.stringify(index) }, ...segs.map((s, n) => ({ name: name(n), text: JSON.stringify({ snapshot: s.snapshot, events: s.events }) }))];
}
