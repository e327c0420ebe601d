/**
 * One terminal of a recording as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/):
 * a header line, then `[seconds, "o", text]` for output and `[seconds, "r", "COLSxROWS"]` for
 * resizes. The terminal's first snapshot (the screen when this browser joined) is its first
 * output; a later snapshot (a resynchronisation) clears the screen and draws the snapshot.
 * Version 3 (https://docs.asciinema.org/manual/asciicast/v3/, asciinema 3's own format) is the
 * same events with the time since the event before instead of since the start, and the size in
 * the header's `term`.
 */
import type { TermInfo } from '../protocol/terminal.ts';
import type { Stored } from './events.ts';
import type { RecordingReader } from './reader.ts';

/** RIS: a full terminal reset, before a snapshot replaces the screen. */
const RESET = '\x1bc';

interface TermMsg {
  type: string;
  id: number;
  cols: number;
  rows: number;
  data: Uint8Array | string;
  list: TermInfo[];
}

/** The terminals that have output in a recording, with their titles. */
export async function recordedTerminals(reader: RecordingReader): Promise<{ id: number; title: string }[]> {
  const seen = new Map<number, string>();
  await reader.each((e) => {
    if (e.k !== 'msg' || e.cap !== 'terminal') return;
    const m = e.msg as TermMsg;
    if (m.type === 'terms') for (const t of m.list) seen.set(t.id, t.title);
    else if ((m.type === 'snapshot' || m.type === 'output') && !seen.has(m.id)) seen.set(m.id, `terminal ${m.id}`);
  });
  return [...seen].map(([id, title]) => ({ id, title }));
}

export type CastVersion = 2 | 3;

export async function asciicast(reader: RecordingReader, termId: number, version: CastVersion = 2): Promise<string[]> {
  const meta = await reader.meta();
  if (!meta) throw new Error('this recording is gone');
  const out: string[] = [];
  const dec = new TextDecoder();
  let size: { cols: number; rows: number } | null = null;
  /** the size the cast starts at (its header) */
  let initial: { cols: number; rows: number } | null = null;
  let first = true;
  const sec = (e: Stored) => Math.round(e.t) / 1000;
  await reader.each((e) => {
    if (e.k !== 'msg' || e.cap !== 'terminal') return;
    const m = e.msg as TermMsg;
    if (m.type === 'terms') {
      const info = m.list.find((t) => t.id === termId);
      if (info && size && (info.cols !== size.cols || info.rows !== size.rows)) out.push(JSON.stringify([sec(e), 'r', `${info.cols}x${info.rows}`]));
      if (info) size = { cols: info.cols, rows: info.rows };
      initial ??= size;
      return;
    }
    if (m.id !== termId) return;
    if (m.type === 'snapshot') {
      if (!size) initial = size = { cols: m.cols, rows: m.rows };
      else if (m.cols !== size.cols || m.rows !== size.rows) {
        size = { cols: m.cols, rows: m.rows };
        out.push(JSON.stringify([sec(e), 'r', `${m.cols}x${m.rows}`]));
      }
      out.push(JSON.stringify([sec(e), 'o', (first ? '' : RESET) + (m.data as string)]));
      first = false;
    } else if (m.type === 'output') {
      const text = dec.decode(m.data as Uint8Array, { stream: true });
      if (text) out.push(JSON.stringify([sec(e), 'o', text]));
    }
  });
  const { cols, rows } = initial ?? { cols: 80, rows: 24 };
  const common = { timestamp: Math.floor(meta.started / 1000), title: `${meta.session} · terminal ${termId}` };
  if (version === 2) return [JSON.stringify({ version: 2, width: cols, height: rows, ...common }), ...out].map((l) => l + '\n');
  let last = 0;
  const relative = out.map((l) => {
    const [t, code, data] = JSON.parse(l) as [number, string, string];
    // (in ms first: 0.1 + 0.2 is not 0.3 in seconds)
    const ms = Math.round(t * 1000);
    const line = JSON.stringify([Math.max(0, ms - last) / 1000, code, data]);
    last = Math.max(last, ms);
    return line;
  });
  return [JSON.stringify({ version: 3, term: { cols, rows }, ...common }), ...relative].map((l) => l + '\n');
}
