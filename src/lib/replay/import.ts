/**
 * Imports a recording file (file-format.ts) into this browser's database. Every line is checked
 * before anything is kept — version, sizes, types, limits — and capability messages of known
 * capabilities go through their protocol's own reader, as if they came off the wire. The file is
 * only ever data: terminal text is written into a terminal, names into text nodes. A bad file is
 * refused with the line and the reason, and leaves nothing behind.
 */
import type { Protocol, Typed } from '../protocol/capability.ts';
import { MAX_COLS, MAX_ROWS, MAX_TERMINALS, terminalProtocol } from '../protocol/terminal.ts';
import { fail, int, obj, str, type Obj } from '../protocol/validate.ts';
import type { ReplayDb } from './db.ts';
import { RECORDING_VERSION, sizeOf, type Keyframe, type Person, type RecordingMeta, type Screen, type Stored } from './events.ts';
import { FORMAT, fromB64 } from './file-format.ts';
import { isMark } from './markers.ts';
import { WordIndexer } from './search-index.ts';

/** Longest line, characters (a keyframe with every terminal's scrollback). */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;
export const MAX_IMPORT_EVENTS = 50_000_000;
/** Longest recording, ms (a week). */
export const MAX_LENGTH_MS = 7 * 24 * 3600_000;
const MAX_PEOPLE = 1000;
const MAX_TEXT = 1000;
const MAX_SCREEN_CHARS = 16 * 1024 * 1024;
const MAX_JSON_DEPTH = 16;
/** Events written per transaction while importing. */
const IMPORT_BATCH = 1000;

/** Capabilities whose messages an import checks with the protocol's own reader; messages of any
 * other (newer) capability are kept as plain, bounded JSON data. */
const PROTOCOLS: Record<string, Protocol<Typed, Typed>> = { terminal: terminalProtocol as Protocol<Typed, Typed> };
/** never recorded (recorder.ts), so never accepted */
const REFUSED_CAPS = new Set(['mesh', 'session']);

export class ImportError extends Error {}

const reviver = (_k: string, v: unknown) => {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Obj).$b64 === 'string' && Object.keys(v).length === 1) {
    try {
      return fromB64((v as Obj).$b64 as string);
    } catch {
      fail('bytes that are not valid base64');
    }
  }
  return v;
};

function plain(v: unknown, depth = 0): void {
  if (depth > MAX_JSON_DEPTH) fail('data nested too deeply');
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v) || v instanceof Uint8Array) return;
  if (typeof v !== 'object') fail('data of an unknown type');
  for (const x of Object.values(v as object)) plain(x, depth + 1);
}

function message(cap: string, v: unknown): Typed {
  if (REFUSED_CAPS.has(cap)) fail(`"${cap}" messages are never part of a recording`);
  const o = obj(v, 'message');
  str(o, 'type', 64, { min: 1 });
  const p = PROTOCOLS[cap];
  if (!p) {
    plain(o);
    return o as unknown as Typed;
  }
  let bytes: Uint8Array;
  try {
    bytes = p.write(o as unknown as Typed);
  } catch {
    fail(`a ${cap} "${String(o.type)}" message that cannot be encoded`);
  }
  const read = p.read(bytes.subarray(1));
  // the encoder coerces what it is given (a string where bytes belong): what it made must read
  // back as exactly what the file said
  if (!same(read, o)) fail(`a ${cap} "${String(o.type)}" message that cannot be encoded`);
  return read;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same((a as Obj)[k], (b as Obj)[k]));
  }
  return a === b;
}

function person(v: unknown): Person {
  const o = obj(v, 'participant');
  return { id: str(o, 'id', 200), name: str(o, 'name', MAX_TEXT), role: str(o, 'role', 32) };
}

function event(v: unknown, rec: string, prev: { seq: number; t: number }): Stored {
  const o = obj(v, 'event');
  const seq = int(o, 'seq', prev.seq + 1, Number.MAX_SAFE_INTEGER);
  const t = int(o, 't', prev.t, MAX_LENGTH_MS);
  const at = { rec, seq, t };
  switch (o.k) {
    case 'msg': {
      const cap = str(o, 'cap', 64, { min: 1 });
      return { ...at, k: 'msg', cap, from: str(o, 'from', 200), msg: message(cap, o.msg) };
    }
    case 'self':
    case 'join':
      return { ...at, k: o.k, who: person(o.who) };
    case 'leave':
      return { ...at, k: 'leave', id: str(o, 'id', 200), reason: str(o, 'reason', MAX_TEXT) };
    case 'rename':
      return { ...at, k: 'rename', id: str(o, 'id', 200), name: str(o, 'name', MAX_TEXT) };
    case 'marker':
      return { ...at, k: 'marker', kind: str(o, 'kind', 64), label: str(o, 'label', MAX_TEXT) };
    default:
      fail(`an event of unknown kind ${JSON.stringify(String(o.k)).slice(0, 40)}`);
  }
}

function screen(v: unknown): Screen {
  const o = obj(v, 'screen');
  return { id: int(o, 'id', 0, 0xffff), cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS), data: str(o, 'data', MAX_SCREEN_CHARS) };
}

function keyframe(v: unknown, rec: string, last: { seq: number; t: number }): Keyframe {
  const o = obj(v, 'keyframe');
  const seq = int(o, 'seq', 1, last.seq);
  const t = int(o, 't', 0, last.t);
  if (!Array.isArray(o.people) || o.people.length > MAX_PEOPLE) fail(`"people" must be a list of at most ${MAX_PEOPLE}`);
  if (!Array.isArray(o.screens) || o.screens.length > MAX_TERMINALS) fail(`"screens" must be a list of at most ${MAX_TERMINALS}`);
  const latest: Record<string, Typed> = {};
  const lo = obj(o.latest, 'latest');
  if (Object.keys(lo).length > 256) fail('too many entries in "latest"');
  for (const [key, m] of Object.entries(lo)) latest[key] = message(key.split('.')[0], m);
  return { rec, seq, t, people: o.people.map(person), self: o.self === null ? null : person(o.self), latest, screens: o.screens.map(screen) };
}

function header(line: string): Pick<RecordingMeta, 'session' | 'started' | 'participants'> {
  let o: Obj;
  try {
    o = obj(JSON.parse(line), 'the first line');
  } catch {
    throw new ImportError('This is not a Live Sessions recording (its first line is not the recording header).');
  }
  if (o.format !== FORMAT) throw new ImportError('This is not a Live Sessions recording.');
  if (o.version !== RECORDING_VERSION) {
    throw new ImportError(`This recording is format version ${String(o.version)}; this version of Live Sessions reads version ${RECORDING_VERSION} only.`);
  }
  const m = obj(o.meta, 'meta');
  const participants = Array.isArray(m.participants) ? m.participants.slice(0, MAX_PEOPLE).filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, MAX_TEXT)) : [];
  return { session: str(m, 'session', 200, { min: 1 }), started: int(m, 'started', 0, 8.64e15), participants };
}

/** Imports the lines of a recording file; returns the new recording's meta. */
export async function importRecording(db: ReplayDb, lines: AsyncIterable<string>): Promise<RecordingMeta> {
  const id = `imported-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let n = 0;
  let meta: RecordingMeta | null = null;
  const prev = { seq: 0, t: 0 };
  let batch: Stored[] = [];
  let kfs: Keyframe[] = [];
  const words = new WordIndexer(id);
  const write = async () => {
    if (!meta) return;
    const [events, keyframes, m] = [batch, kfs, { ...meta }];
    [batch, kfs] = [[], []];
    for (const e of events) words.add(e);
    const pages = words.take();
    await db.transaction('rw', [db.events, db.marks, db.keyframes, db.words, db.recordings], async () => {
      if (events.length) await db.events.bulkAdd(events);
      if (pages.length) await db.words.bulkAdd(pages);
      const marks = events.filter(isMark);
      if (marks.length) await db.marks.bulkAdd(marks);
      if (keyframes.length) await db.keyframes.bulkAdd(keyframes);
      await db.recordings.put(m);
    });
  };
  try {
    for await (const line of lines) {
      n++;
      if (line.length > MAX_LINE_CHARS) throw new ImportError(`line ${n} is longer than ${MAX_LINE_CHARS} characters`);
      if (!meta) {
        if (!line.trim()) continue;
        let h: ReturnType<typeof header>;
        try {
          h = header(line);
        } catch (e) {
          throw e instanceof ImportError ? e : new ImportError(`The recording's header is damaged: ${(e as Error).message}`);
        }
        meta = { id, v: RECORDING_VERSION, ...h, length: 0, events: 0, bytes: 0, imported: true, words: true };
        continue;
      }
      if (!line.trim()) continue;
      try {
        const o = obj(JSON.parse(line, reviver), 'line');
        if (o.e !== undefined) {
          if (kfs.length) fail('an event after the keyframes');
          const e = event(o.e, id, prev);
          [prev.seq, prev.t] = [e.seq, e.t];
          if (++meta.events > MAX_IMPORT_EVENTS) fail(`more than ${MAX_IMPORT_EVENTS} events`);
          meta.length = e.t;
          meta.bytes += sizeOf(e);
          batch.push(e);
        } else if (o.kf !== undefined) {
          const k = keyframe(o.kf, id, prev);
          meta.bytes += sizeOf(k.screens);
          kfs.push(k);
        } else fail('neither an event nor a keyframe');
      } catch (e) {
        if (e instanceof ImportError) throw e;
        throw new ImportError(`line ${n}: ${e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message}`);
      }
      if (batch.length + kfs.length >= IMPORT_BATCH) await write();
    }
    if (!meta) throw new ImportError('The file is empty.');
    await write();
    return meta;
  } catch (e) {
    await db.remove(id).catch(() => undefined);
    throw e;
  }
}

/** The lines of a byte stream (a File's), decoded as UTF-8, without holding the whole file. */
export async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = stream.pipeThrough(new TextDecoderStream('utf-8', { fatal: true }) as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new ImportError('The file is not UTF-8 text.');
    });
    if (done) break;
    rest += value;
    if (rest.length > MAX_LINE_CHARS && !rest.includes('\n')) throw new ImportError(`a line is longer than ${MAX_LINE_CHARS} characters`);
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  if (rest) yield rest;
}
