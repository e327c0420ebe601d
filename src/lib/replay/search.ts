/**
 * Search across a recording's terminal text: every terminal's output (and snapshots), with escape
 * sequences removed, matched case-insensitively, streamed through once. A match that spans two
 * output chunks is found too. Each hit is a point on the timeline.
 */
import type { RecordingReader } from './reader.ts';

export interface Hit {
  t: number;
  seq: number;
  term: number;
  /** the matching line, around the match */
  excerpt: string;
}

export const MAX_HITS = 500;
const EXCERPT_CHARS = 80;

/** CSI, OSC and other escape sequences, and the remaining control characters but newline. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x09\x0b-\x1f\x7f]/g;

export function plainText(s: string): string {
  return s.replace(ESCAPES, '');
}

interface Tail {
  text: string;
  dec: TextDecoder;
}

export async function search(reader: RecordingReader, query: string, max = MAX_HITS): Promise<Hit[]> {
  const q = query.toLowerCase();
  if (!q) return [];
  const hits: Hit[] = [];
  const tails = new Map<number, Tail>();
  await reader.each((e) => {
    if (hits.length >= max || e.k !== 'msg' || e.cap !== 'terminal') return;
    const m = e.msg as { type: string; id: number; data: Uint8Array | string };
    if (m.type !== 'output' && m.type !== 'snapshot') return;
    let tail = tails.get(m.id);
    if (!tail || m.type === 'snapshot') tails.set(m.id, (tail = { text: '', dec: new TextDecoder() }));
    const fresh = plainText(typeof m.data === 'string' ? m.data : tail.dec.decode(m.data, { stream: true }));
    // the end of the previous chunk: for a match across the boundary, and for the excerpt
    const keep = tail.text;
    const text = keep + fresh;
    const lower = text.toLowerCase();
    for (let at = lower.indexOf(q); at >= 0 && hits.length < max; at = lower.indexOf(q, at + 1)) {
      if (at + q.length <= keep.length) continue; // found with the previous chunk
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      const line = text.slice(Math.max(start, at - EXCERPT_CHARS / 2), end < 0 ? at + EXCERPT_CHARS / 2 : Math.min(end, at + EXCERPT_CHARS / 2));
      hits.push({ t: e.t, seq: e.seq, term: m.id, excerpt: line.trim() });
    }
    tail.text = text.slice(-Math.max(EXCERPT_CHARS, q.length));
  });
  return hits;
}
