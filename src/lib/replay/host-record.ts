/**
 * Opens a host-side record (`--record-dir`: one asciicast v2 file per terminal,
 * `<session>-terminal-<id>.cast`, and the session's audit log `<session>.jsonl`) as a recording on
 * this browser: the casts become the terminals' output, the audit log the people (joins, leaves)
 * and the markers (commands with exit code and author, checkpoints, saves). They are merged in
 * time order and fed to the same Recorder a live session uses, so the result has keyframes, a
 * word index and marks like any recording.
 *
 * Everything is checked line by line (JSON, types, sizes, times that never go back) and a bad
 * file is refused with its name, the line and the reason; only the last line of a file may be cut
 * short (a crash of the host), and is then left out. Nothing in these files runs: terminal text is
 * written into a terminal, names and labels into text nodes.
 */
import { Emitter } from '../mesh/events.ts';
import type { MeshPeer } from '../mesh/mesh.ts';
import type { Routed } from '../mesh/router.ts';
import { MAX_COLS, MAX_ROWS, MAX_TERMINALS, type TermInfo } from '../protocol/terminal.ts';
import type { ReplayDb } from './db.ts';
import type { RecordingMeta } from './events.ts';
import { ImportError, linesOf, MAX_IMPORT_EVENTS, MAX_LENGTH_MS, MAX_LINE_CHARS } from './import.ts';
import { Recorder, type RecorderSource } from './recorder.ts';
import type { XtermKit } from './term-model.ts';

/** The audit log is read whole before the casts: at most this big, bytes. */
export const MAX_AUDIT_BYTES = 64 * 1024 * 1024;
const MAX_TEXT = 1000;
/** Events fed between two batches. */
const BATCH_EVENTS = 2000;

export interface RecordFile {
  name: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
}

interface Who {
  id: string;
  name: string;
  role: string;
}
/** One thing that happened, at `t` ms since the epoch. */
type Happening =
  | { t: number; k: 'out'; term: number; text: string }
  | { t: number; k: 'resize'; term: number; cols: number; rows: number }
  | { t: number; k: 'join' | 'leave' | 'rename'; who: Who }
  | { t: number; k: 'marker'; kind: string; label: string };

class Bad extends Error {}
const bad = (why: string): never => {
  throw new Bad(why);
};

/** Lines with a flag on the last one (which a crash may have cut short). */
async function* withLast(lines: AsyncIterable<string>): AsyncIterable<{ line: string; n: number; last: boolean }> {
  let prev: string | null = null;
  let n = 0;
  for await (const line of lines) {
    if (prev !== null) yield { line: prev, n, last: false };
    prev = line;
    n++;
  }
  if (prev !== null) yield { line: prev, n, last: true };
}

const text = (o: Record<string, unknown>, k: string, max = MAX_TEXT): string => (typeof o[k] === 'string' ? (o[k] as string).slice(0, max) : bad(`"${k}" must be text`));

function who(v: unknown): Who {
  if (!v || typeof v !== 'object') bad('"who" must be an object');
  const o = v as Record<string, unknown>;
  return { id: text(o, 'id', 200), name: text(o, 'name'), role: text(o, 'role', 32) };
}

/** A line of the audit log; `names` is who went by which name so far: a peer joins under a
 * placeholder (its name reaches the host later) and any later line may carry its real name. */
function auditLine(line: string, names: Map<string, string>): Happening[] {
  const o = JSON.parse(line) as unknown;
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('not a JSON object');
  const a = o as Record<string, unknown>;
  const t = Date.parse(text(a, 't', 64));
  if (!Number.isFinite(t)) bad('"t" is not a time');
  const kind = text(a, 'kind', 32);
  if (kind === 'continues') return [];
  const by = who(a.who);
  // a command's author is everyone who typed it ("Ann + Bob"), not a name anybody goes by
  const named = kind !== 'command' && by.id !== '';
  const known = named ? names.get(by.id) : undefined;
  if (named) names.set(by.id, by.name);
  const renamed: Happening[] = known !== undefined && known !== by.name && kind !== 'join' && kind !== 'rename' ? [{ t, k: 'rename', who: by }] : [];
  const h = auditEvent(a, t, kind, by);
  return h ? [...renamed, h] : renamed;
}

function auditEvent(a: Record<string, unknown>, t: number, kind: string, by: Who): Happening | null {
  const num = (k: string) => (a[k] === null || a[k] === undefined ? null : Number.isSafeInteger(a[k]) ? (a[k] as number) : bad(`"${k}" must be a whole number`));
  switch (kind) {
    case 'join':
    case 'leave':
      return { t, k: kind, who: by };
    case 'rename':
      return { t, k: 'rename', who: by };
    case 'command': {
      const exit = num('exit');
      const cmd = a.text === null || a.text === undefined ? 'command' : text(a, 'text');
      return { t, k: 'marker', kind: exit ? 'command-failed' : 'command', label: `$ ${cmd}${exit === null ? '' : ` → exit ${exit}`} (${by.name})` };
    }
    case 'checkpoint':
      return { t, k: 'marker', kind: 'checkpoint', label: `Checkpoint: ${text(a, 'label')} (${by.name})` };
    case 'file':
      return a.action === 'save' ? { t, k: 'marker', kind: 'save', label: `Saved ${text(a, 'path')} (${by.name})` } : null;
    default:
      return null; // input, refusals, terminal changes: the casts show their effect
  }
}

interface Cast {
  term: number;
  title: string;
  cols: number;
  rows: number;
  /** epoch ms of t = 0 */
  start: number;
  lines: AsyncIterator<{ line: string; n: number; last: boolean }>;
  name: string;
  prevT: number;
}

async function openCast(f: RecordFile, fallbackId: number): Promise<Cast> {
  const lines = withLast(linesOf(f.stream()))[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new ImportError(`${f.name} is empty.`);
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(first.value.line) as Record<string, unknown>;
  } catch {
    throw new ImportError(`${f.name} is not an asciicast file (its first line is not a header).`);
  }
  if (!h || typeof h !== 'object' || h.version !== 2) throw new ImportError(`${f.name} is not an asciicast version 2 file.`);
  const int = (k: string, max: number) => (Number.isSafeInteger(h[k]) && (h[k] as number) >= 1 && (h[k] as number) <= max ? (h[k] as number) : null);
  const cols = int('width', MAX_COLS);
  const rows = int('height', MAX_ROWS);
  if (!cols || !rows) throw new ImportError(`${f.name}: the header's width and height must be between 1 and ${MAX_COLS} × ${MAX_ROWS}.`);
  const ts = typeof h.timestamp === 'number' && Number.isFinite(h.timestamp) ? h.timestamp * 1000 : 0;
  const id = Number(/-terminal-(\d+)\.cast$/.exec(f.name)?.[1] ?? fallbackId);
  return { term: Math.min(id, 0xffff), title: typeof h.title === 'string' ? h.title.slice(0, 200) : `terminal ${id}`, cols, rows, start: ts, lines, name: f.name, prevT: 0 };
}

/** The cast's next output or resize, or null at its end. */
async function nextOfCast(c: Cast): Promise<Happening | null> {
  for (;;) {
    const r = await c.lines.next();
    if (r.done) return null;
    const { line, n, last } = r.value;
    if (!line.trim()) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      if (last) return null; // cut short by a crash
      throw new ImportError(`${c.name} line ${n}: not valid JSON.`);
    }
    try {
      if (!Array.isArray(e) || e.length !== 3) bad('an event must be [time, code, data]');
      const [s, code, data] = e as [unknown, unknown, unknown];
      if (typeof s !== 'number' || !Number.isFinite(s) || s < c.prevT) bad('the time must be a number that never goes back');
      if (typeof data !== 'string') bad('the data must be text');
      const t = c.start + (s as number) * 1000;
      c.prevT = s as number;
      if (code === 'o') return { t, k: 'out', term: c.term, text: data as string };
      if (code === 'r') {
        const m = /^(\d{1,4})x(\d{1,4})$/.exec(data as string);
        const [cols, rows] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
        if (cols < 1 || rows < 1 || cols > MAX_COLS || rows > MAX_ROWS) bad(`a resize must be COLSxROWS within ${MAX_COLS}x${MAX_ROWS}`);
        return { t, k: 'resize', term: c.term, cols, rows };
      }
      if (code === 'm') return { t, k: 'marker', kind: 'mark', label: (data as string).slice(0, MAX_TEXT) };
      if (code !== 'i') bad(`unknown event code ${JSON.stringify(code).slice(0, 20)}`);
    } catch (err) {
      throw new ImportError(`${c.name} line ${n}: ${(err as Error).message}.`);
    }
  }
}

async function readAudit(f: RecordFile): Promise<Happening[]> {
  if (f.size > MAX_AUDIT_BYTES) throw new ImportError(`${f.name} is larger than ${MAX_AUDIT_BYTES / 1024 / 1024} MB.`);
  const out: Happening[] = [];
  const names = new Map<string, string>();
  for await (const { line, n, last } of withLast(linesOf(f.stream()))) {
    if (!line.trim()) continue;
    try {
      out.push(...auditLine(line, names));
    } catch (err) {
      if (last && err instanceof SyntaxError) break;
      throw new ImportError(`${f.name} line ${n}: ${err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message}.`);
    }
  }
  // stable: a rename stays before the line that revealed it
  return out.sort((a, b) => a.t - b.t);
}

const peer = (w: Who) => ({ id: w.id, name: w.name, claims: { role: w.role } }) as unknown as MeshPeer;

/** Imports the files of one host record; returns the new recording's meta. */
export async function importHostRecord(db: ReplayDb, files: RecordFile[], kit: XtermKit): Promise<RecordingMeta> {
  const casts = files.filter((f) => f.name.endsWith('.cast'));
  const audits = files.filter((f) => f.name.endsWith('.jsonl'));
  const other = files.find((f) => !f.name.endsWith('.cast') && !f.name.endsWith('.jsonl'));
  if (other) throw new ImportError(`${other.name} is not part of a host record: drop the .cast files and the .jsonl audit log of one session.`);
  if (!casts.length) throw new ImportError('A host record needs at least one .cast file (one per terminal).');
  if (casts.length > MAX_TERMINALS) throw new ImportError(`At most ${MAX_TERMINALS} terminals (.cast files) at a time.`);
  if (audits.length > 1) throw new ImportError('Drop one audit log (.jsonl) at a time: the one of this session.');

  const audit = audits.length ? await readAudit(audits[0]) : [];
  const open = await Promise.all(casts.map((f, i) => openCast(f, i + 1)));
  if (new Set(open.map((c) => c.term)).size !== open.length) throw new ImportError('Two .cast files are the same terminal.');
  const start = Math.min(...open.map((c) => c.start || Infinity), audit[0]?.t ?? Infinity);
  if (!Number.isFinite(start)) throw new ImportError('The casts have no timestamp in their header and there is no audit log: the record has no date.');
  for (const c of open) c.start ||= start;
  const session = /^(.*)-terminal-\d+\.cast$/.exec(casts[0].name)?.[1] ?? casts[0].name.replace(/\.cast$/, '');

  let now = start;
  const tapped = new Emitter<Routed>();
  const source: RecorderSource & { joined: Emitter<MeshPeer>; gone: Emitter<{ peer: MeshPeer; reason: { kind: string } }>; renamed: Emitter<MeshPeer> } = {
    router: { tapped },
    joined: new Emitter<MeshPeer>(),
    gone: new Emitter<{ peer: MeshPeer; reason: { kind: string } }>(),
    renamed: new Emitter<MeshPeer>(),
    peerJoined: { on: (l) => source.joined.on(l) },
    peerGone: { on: (l) => source.gone.on(l) },
    peerRenamed: { on: (l) => source.renamed.on(l) }
  };
  const box = { id: 'host', name: 'the box', role: 'host' };
  const hostPeer = peer(box);
  const id = `host-${session.slice(0, 80)}-${Date.now().toString(36)}`;
  const rec = new Recorder({ db, source, session, self: box, kit, now: () => now, flushMs: 3_600_000, id });
  const send = (msg: object) => tapped.fire({ peer: hostPeer, capability: 'terminal', msg: msg as Routed['msg'] });
  const terms: TermInfo[] = open.map((c) => ({ id: c.term, title: c.title, cols: c.cols, rows: c.rows, exit: null }));
  const enc = new TextEncoder();
  const seqs = new Map<number, number>();
  try {
    send({ type: 'terms', list: terms.map((t) => ({ ...t })) });
    for (const t of terms) send({ type: 'snapshot', id: t.id, seq: 0, cols: t.cols, rows: t.rows, data: '' });
    const heads = await Promise.all(open.map(nextOfCast));
    let a = 0;
    let events = 0;
    for (;;) {
      let i = -1;
      for (let j = 0; j < heads.length; j++) if (heads[j] && (i < 0 || heads[j]!.t < heads[i]!.t)) i = j;
      const fromAudit = a < audit.length && (i < 0 || audit[a].t <= heads[i]!.t);
      const h = fromAudit ? audit[a++] : i >= 0 ? heads[i] : null;
      if (!h) break;
      if (!fromAudit) heads[i] = await nextOfCast(open[i]);
      now = Math.max(now, h.t);
      if (now - start > MAX_LENGTH_MS) throw new ImportError('The record is longer than a week.');
      if (++events > MAX_IMPORT_EVENTS) throw new ImportError(`The record has more than ${MAX_IMPORT_EVENTS} events.`);
      switch (h.k) {
        case 'out': {
          const seq = (seqs.get(h.term) ?? 0) + 1;
          seqs.set(h.term, seq);
          if (h.text.length > MAX_LINE_CHARS) throw new ImportError('An output event is too long.');
          send({ type: 'output', id: h.term, seq, data: enc.encode(h.text) });
          break;
        }
        case 'resize': {
          const t = terms.find((x) => x.id === h.term)!;
          [t.cols, t.rows] = [h.cols, h.rows];
          send({ type: 'terms', list: terms.map((x) => ({ ...x })) });
          break;
        }
        case 'join':
          source.joined.fire(peer(h.who));
          break;
        case 'leave':
          source.gone.fire({ peer: peer(h.who), reason: { kind: 'left' } });
          break;
        case 'rename':
          source.renamed.fire(peer(h.who));
          break;
        case 'marker':
          rec.record({ k: 'marker', kind: h.kind, label: h.label });
          break;
      }
      if (events % BATCH_EVENTS === 0) await rec.flush();
    }
    await rec.dispose();
    if (rec.state !== 'stopped') throw new ImportError(`The record could not be stored (${rec.state === 'full' ? 'this browser’s storage is full' : 'a database error'}).`);
    await db.recordings.update(id, { imported: true });
    const meta = await db.recordings.get(id);
    if (!meta) throw new ImportError('The record is empty.');
    return meta;
  } catch (e) {
    await rec.dispose().catch(() => undefined);
    await db.remove(id).catch(() => undefined);
    throw e instanceof ImportError ? e : new ImportError((e as Error).message);
  }
}
