/**
 * Shared log tails (capability byte CAP.LOGS). The host follows log sources (files, commands),
 * redacts every line, keeps a bounded history of each, and applies the session's one shared filter
 * itself, so only matching lines cross the network. The handshake: on join the host sends
 * `sources`, `filter` (with its generation `gen`), `pins`, then the newest matching lines of the
 * history (`lines`, bulk lane) and the live ones after. A filter change (`set-filter`, editors and
 * owners) gets a new `gen`: a participant drops lines of older generations, the host sends the
 * history's newest matches for the new filter, then live lines. Lines a participant could not take
 * (rate or backlog) are counted in the next `lines` message's `skipped`.
 *
 *   sources     [0]  {sources: LogSourceInfo[]}                 host → guests, on join and change
 *   filter      [1]  {gen, filter, by, time}                    host → guests, on join and change
 *   lines       [13] {gen, lines: LogLine[], skipped, history}  host → guests (bulk), packed in
 *                    columns (below); [2], the same as JSON, is still read (older hosts)
 *   pins        [3]  {pins: Pin[]}                              host → guests, on join and change
 *   context     [4]  {req, src, seq, lines}                     host → the asker (bulk)
 *   done        [5]  {req}                                      host → the asker
 *   failed      [6]  {req, code, message}                       host → the asker
 *   set-filter  [7]  {req, filter}                              editors, owners → host
 *   add-source  [8]  {req, kind, spec}                          editors, owners → host
 *   restart     [9]  {req, src}                                 editors, owners → host
 *   get-context [10] {req, src, seq, before, after}             any guest → host
 *   pin         [11] {req, src, seq, note}                      editors, owners → host
 *   unpin       [12] {req, src, seq}                            editors, owners → host
 */
import { GUESTS, HOST, readJson, typeOf, utf8, WRITERS, writeJson, type Protocol, type Rules } from './capability.ts';
import { MAX_NAME_CHARS } from './credentials.ts';
import { CAP } from './frames.ts';
import { isRole, type Role } from './roles.ts';
import { fail, int, obj, str, type Obj } from './validate.ts';

/** Longest line sent, characters (the host cuts longer ones and says so with an ellipsis). */
export const MAX_LINE_CHARS = 8192;
/** Lines in one `lines` or `context` message at most. */
export const MAX_LINES_PER_MESSAGE = 1000;
export const MAX_SOURCES = 64;
export const MAX_PINS = 100;
/** Lines of context either side of a line, at most. */
export const MAX_CONTEXT = 100;
/** Text, regex and field values of a filter, characters. */
export const MAX_FILTER_CHARS = 500;
export const MAX_FILTER_FIELDS = 8;
/** A source's spec (a path or a command line), characters. */
export const MAX_SPEC_CHARS = 1024;
const MAX_TIME = 8.64e15;

/** Levels, lowest first; a line whose level was not recognised has none (`lv` 0). */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];
/** `lv` on the wire: 0 = unknown, 1 = trace … 6 = fatal */
export const levelNumber = (l: Level): number => LEVELS.indexOf(l) + 1;

export interface LogLine {
  /** the source's id */
  src: number;
  /** the line's number in its source, from 1 */
  seq: number;
  /** ms since the epoch: the line's own timestamp when it has one, else when the host read it */
  t: number;
  lv: number;
  /** redacted on the host */
  text: string;
}

/** `glob`: a `--log` pattern; the files it matches are sources of their own (kind `file`) */
export type SourceKind = 'file' | 'cmd' | 'glob';
/** What an editor may add from the page. */
export type AddKind = Exclude<SourceKind, 'glob'>;
export type SourceState = 'following' | 'waiting' | 'exited' | 'error';

export interface LogSourceInfo {
  id: number;
  kind: SourceKind;
  /** the path or the command line, as given */
  spec: string;
  state: SourceState;
  /** why it waits, how it exited, what failed */
  detail: string;
  /** lines read so far */
  lines: number;
  /** who added it from the page; null = the host's command line */
  by: Author | null;
}

export interface Author {
  id: string;
  name: string;
  role: Role;
}

export interface FieldMatch {
  /** a field's name (`service`, `request_id`, `user`…), or `id` for any request or trace id */
  key: string;
  value: string;
}

/** The shared filter; every criterion given must hold. */
export interface LogFilter {
  /** a substring; smart case (case-insensitive unless it has a capital letter) */
  text?: string;
  /** a JavaScript regex (evaluated on the host off its main loop, with a time budget) */
  regex?: string;
  /** the lowest level shown; lines without a level are hidden then */
  level?: Level;
  fields?: FieldMatch[];
  /** ms since the epoch, inclusive */
  from?: number;
  to?: number;
  /** only these sources (ids); absent = all */
  sources?: number[];
}

export interface Pin {
  src: number;
  seq: number;
  line: LogLine;
  note: string;
  by: Author;
}

export type LogsFailCode = 'bad-filter' | 'bad-regex' | 'slow-regex' | 'bad-source' | 'not-found' | 'too-many' | 'rate-limited';

export type LogsDown =
  | { type: 'sources'; sources: LogSourceInfo[] }
  | { type: 'filter'; gen: number; filter: LogFilter; by: Author | null; time: number; note?: string }
  | { type: 'lines'; gen: number; lines: LogLine[]; skipped: number; history: boolean }
  | { type: 'pins'; pins: Pin[] }
  | { type: 'context'; req: number; src: number; seq: number; lines: LogLine[] }
  | { type: 'done'; req: number }
  | { type: 'failed'; req: number; code: LogsFailCode; message: string };

export type LogsUp =
  | { type: 'set-filter'; req: number; filter: LogFilter }
  | { type: 'add-source'; req: number; kind: AddKind; spec: string }
  | { type: 'restart'; req: number; src: number }
  | { type: 'get-context'; req: number; src: number; seq: number; before: number; after: number }
  | { type: 'pin'; req: number; src: number; seq: number; note: string }
  | { type: 'unpin'; req: number; src: number; seq: number };

export type LogsMessage = LogsDown | LogsUp;

const TYPES = [
  'sources', 'filter', 'lines', 'pins', 'context', 'done', 'failed',
  'set-filter', 'add-source', 'restart', 'get-context', 'pin', 'unpin'
] as const satisfies readonly LogsMessage['type'][];
const KINDS: readonly SourceKind[] = ['file', 'cmd', 'glob'];
const ADD_KINDS: readonly AddKind[] = ['file', 'cmd'];
const STATES: readonly SourceState[] = ['following', 'waiting', 'exited', 'error'];
const CODES: readonly LogsFailCode[] = ['bad-filter', 'bad-regex', 'slow-regex', 'bad-source', 'not-found', 'too-many', 'rate-limited'];

function list(o: Obj, key: string, max: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > max) fail(`"${key}" must be a list of at most ${max}`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, options: readonly T[]): T {
  const v = o[key];
  if (!options.includes(v as T)) fail(`"${key}" must be one of ${options.join(', ')}`);
  return v as T;
}

const req = (o: Obj) => int(o, 'req', 0, 0xffffffff);
const id = (o: Obj, key: string) => int(o, key, 0, Number.MAX_SAFE_INTEGER);

function author(v: unknown): Author {
  const o = obj(v, 'author');
  if (!isRole(o.role)) fail('"role" must be a role');
  return { id: str(o, 'id', 64), name: str(o, 'name', MAX_NAME_CHARS), role: o.role };
}

function line(v: unknown): LogLine {
  const o = obj(v, 'line');
  return { src: id(o, 'src'), seq: id(o, 'seq'), t: int(o, 't', 0, MAX_TIME), lv: int(o, 'lv', 0, LEVELS.length), text: str(o, 'text', MAX_LINE_CHARS) };
}

function source(v: unknown): LogSourceInfo {
  const o = obj(v, 'source');
  return {
    id: id(o, 'id'),
    kind: oneOf(o, 'kind', KINDS),
    spec: str(o, 'spec', MAX_SPEC_CHARS),
    state: oneOf(o, 'state', STATES),
    detail: str(o, 'detail', 1000),
    lines: id(o, 'lines'),
    by: o.by === null || o.by === undefined ? null : author(o.by)
  };
}

/** A filter from the wire (or typed by a person): every part bounded; the regex is not compiled here. */
export function readFilter(v: unknown): LogFilter {
  const o = obj(v, 'filter');
  const f: LogFilter = {};
  if (o.text !== undefined && o.text !== '') f.text = str(o, 'text', MAX_FILTER_CHARS);
  if (o.regex !== undefined && o.regex !== '') f.regex = str(o, 'regex', MAX_FILTER_CHARS);
  if (o.level !== undefined) f.level = oneOf(o, 'level', LEVELS);
  if (o.fields !== undefined) {
    const fields = list(o, 'fields', MAX_FILTER_FIELDS).map((x) => {
      const fo = obj(x, 'field');
      return { key: str(fo, 'key', 100, { min: 1 }), value: str(fo, 'value', MAX_FILTER_CHARS, { min: 1 }) };
    });
    if (fields.length) f.fields = fields;
  }
  if (o.from !== undefined) f.from = int(o, 'from', 0, MAX_TIME);
  if (o.to !== undefined) f.to = int(o, 'to', 0, MAX_TIME);
  if (o.sources !== undefined) f.sources = list(o, 'sources', MAX_SOURCES).map((s) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) fail('"sources" must hold source ids');
      return s;
    });
  return f;
}

// ---- `lines` on the wire (byte 13): the hot path, laid out in columns ----
//
//   gen:f64 skipped:f64 history:u8 n:u16
//   src:u32×n seq:f64×n t:f64×n lv:u8×n shared:u16×n rest:u16×n   (big-endian)
//   utf-8 of every line's rest, back to back
//
// A line's text is the first `shared` UTF-16 units of the line before it (0 for the first) and
// then its `rest` units: log lines repeat their start (a timestamp, the same JSON keys), and
// bytes on the data channel are what a flood costs at both ends. One decode of one block instead
// of a JSON object per line: the bench's lines are 80 bytes instead of 211, and the page's CPU per
// line is half.
const PACKED = 13;
const HEAD_BYTES = 8 + 8 + 1 + 2;
const LINE_BYTES = 4 + 8 + 8 + 1 + 2 + 2;

/** UTF-16 units `b` starts with of `a` (never half a surrogate pair). */
function sharedStart(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && i < b.length && (b.charCodeAt(i - 1) & 0xfc00) === 0xd800) i--;
  return i;
}

function writePackedLines(m: Extract<LogsMessage, { type: 'lines' }>): Uint8Array {
  const n = m.lines.length;
  const rests: string[] = new Array(n);
  const shared: number[] = new Array(n);
  let prev = '';
  for (let i = 0; i < n; i++) {
    const text = m.lines[i].text;
    const s = sharedStart(prev, text);
    shared[i] = s;
    rests[i] = s ? text.slice(s) : text;
    prev = text;
  }
  const text = utf8.encode(rests.join(''));
  const out = new Uint8Array(2 + HEAD_BYTES + n * LINE_BYTES + text.length);
  out[0] = CAP.LOGS;
  out[1] = PACKED;
  const v = new DataView(out.buffer, 2);
  v.setFloat64(0, m.gen);
  v.setFloat64(8, m.skipped);
  v.setUint8(16, m.history ? 1 : 0);
  v.setUint16(17, n);
  let at = HEAD_BYTES;
  for (let i = 0; i < n; i++) v.setUint32(at + 4 * i, m.lines[i].src);
  at += 4 * n;
  for (let i = 0; i < n; i++) v.setFloat64(at + 8 * i, m.lines[i].seq);
  at += 8 * n;
  for (let i = 0; i < n; i++) v.setFloat64(at + 8 * i, m.lines[i].t);
  at += 8 * n;
  for (let i = 0; i < n; i++) v.setUint8(at + i, m.lines[i].lv);
  at += n;
  for (let i = 0; i < n; i++) v.setUint16(at + 2 * i, shared[i]);
  at += 2 * n;
  for (let i = 0; i < n; i++) v.setUint16(at + 2 * i, rests[i].length);
  out.set(text, 2 + at + 2 * n);
  return out;
}

function wholeIn(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) fail(`"${what}" must be an integer from 0 to ${max}`);
  return v;
}

/** A `lines` message from its columns (body after the type byte), every part checked. */
function readPackedLines(b: Uint8Array): Extract<LogsMessage, { type: 'lines' }> {
  if (b.length < HEAD_BYTES) fail('a lines message is shorter than its header', 'bad-frame');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const gen = wholeIn(v.getFloat64(0), Number.MAX_SAFE_INTEGER, 'gen');
  const skipped = wholeIn(v.getFloat64(8), Number.MAX_SAFE_INTEGER, 'skipped');
  const history = v.getUint8(16) === 1;
  const n = v.getUint16(17);
  if (n > MAX_LINES_PER_MESSAGE) fail(`"lines" must be a list of at most ${MAX_LINES_PER_MESSAGE}`);
  const textAt = HEAD_BYTES + n * LINE_BYTES;
  if (b.length < textAt) fail(`a lines message of ${n} lines is shorter than their columns`, 'bad-frame');
  const text = utf8.decode(b.subarray(textAt), 'log lines');
  // where each column starts
  const src = HEAD_BYTES;
  const seq = src + 4 * n;
  const t = seq + 8 * n;
  const lv = t + 8 * n;
  const shared = lv + n;
  const rest = shared + 2 * n;
  const lines: LogLine[] = new Array(n);
  let prev = '';
  let from = 0;
  for (let i = 0; i < n; i++) {
    const s = v.getUint16(shared + 2 * i);
    const r = v.getUint16(rest + 2 * i);
    if (s > prev.length) fail(`line ${i + 1} shares more of the line before it than there is`);
    if (s + r > MAX_LINE_CHARS) fail(`"text" is longer than ${MAX_LINE_CHARS} characters`);
    if (from + r > text.length) fail('the lines\' text is shorter than their lengths say');
    const own = text.slice(from, from + r);
    from += r;
    prev = s ? prev.slice(0, s) + own : own;
    lines[i] = {
      src: v.getUint32(src + 4 * i),
      seq: wholeIn(v.getFloat64(seq + 8 * i), Number.MAX_SAFE_INTEGER, 'seq'),
      t: wholeIn(v.getFloat64(t + 8 * i), MAX_TIME, 't'),
      lv: wholeIn(v.getUint8(lv + i), LEVELS.length, 'lv'),
      text: prev
    };
  }
  if (from !== text.length) fail('the lines\' text is longer than their lengths say');
  return { type: 'lines', gen, lines, skipped, history };
}

export function writeLogs(m: LogsMessage): Uint8Array {
  if (m.type === 'lines') return writePackedLines(m);
  const { type, ...fields } = m;
  return writeJson(CAP.LOGS, TYPES.indexOf(type), fields);
}

export function readLogs(body: Uint8Array): LogsMessage {
  if (body[0] === PACKED) return readPackedLines(body.subarray(1));
  const type = typeOf(body, TYPES, 'logs');
  const o = readJson(body);
  switch (type) {
    case 'sources':
      return { type, sources: list(o, 'sources', MAX_SOURCES).map(source) };
    case 'filter': {
      const note = o.note === undefined ? undefined : str(o, 'note', 1000);
      return { type, gen: id(o, 'gen'), filter: readFilter(o.filter), by: o.by === null ? null : author(o.by), time: int(o, 'time', 0, MAX_TIME), ...(note ? { note } : {}) };
    }
    case 'lines':
      return { type, gen: id(o, 'gen'), lines: list(o, 'lines', MAX_LINES_PER_MESSAGE).map(line), skipped: id(o, 'skipped'), history: o.history === true };
    case 'pins':
      return {
        type,
        pins: list(o, 'pins', MAX_PINS).map((p) => {
          const po = obj(p, 'pin');
          return { src: id(po, 'src'), seq: id(po, 'seq'), line: line(po.line), note: str(po, 'note', 200), by: author(po.by) };
        })
      };
    case 'context':
      return { type, req: req(o), src: id(o, 'src'), seq: id(o, 'seq'), lines: list(o, 'lines', 2 * MAX_CONTEXT + 1).map(line) };
    case 'done':
      return { type, req: req(o) };
    case 'failed':
      return { type, req: req(o), code: oneOf(o, 'code', CODES), message: str(o, 'message', 1000) };
    case 'set-filter':
      return { type, req: req(o), filter: readFilter(o.filter) };
    case 'add-source':
      return { type, req: req(o), kind: oneOf(o, 'kind', ADD_KINDS), spec: str(o, 'spec', MAX_SPEC_CHARS, { min: 1 }) };
    case 'restart':
      return { type, req: req(o), src: id(o, 'src') };
    case 'get-context':
      return { type, req: req(o), src: id(o, 'src'), seq: id(o, 'seq'), before: int(o, 'before', 0, MAX_CONTEXT), after: int(o, 'after', 0, MAX_CONTEXT) };
    case 'pin':
      return { type, req: req(o), src: id(o, 'src'), seq: id(o, 'seq'), note: str(o, 'note', 200) };
    case 'unpin':
      return { type, req: req(o), src: id(o, 'src'), seq: id(o, 'seq') };
  }
}

const fromHost = { from: HOST, to: GUESTS };
const toHost = { from: GUESTS, to: HOST };
const writers = (denied: string) => ({ from: WRITERS, to: HOST, denied });

export const LOGS_RULES: Rules<LogsMessage> = {
  sources: fromHost,
  filter: fromHost,
  // many lines at once must not hold up keystrokes; filter (urgent) goes out before its lines
  lines: { ...fromHost, lane: 'bulk' },
  pins: fromHost,
  context: { ...fromHost, lane: 'bulk' },
  done: fromHost,
  failed: fromHost,
  'set-filter': writers('Viewers cannot change the shared log filter; filter your own view instead.'),
  'add-source': writers('Viewers cannot add log sources.'),
  restart: writers('Viewers cannot restart log sources.'),
  'get-context': toHost,
  pin: writers('Viewers cannot pin log lines.'),
  unpin: writers('Viewers cannot unpin log lines.')
};

export const logsProtocol: Protocol<LogsUp, LogsDown> = {
  cap: CAP.LOGS,
  name: 'logs',
  write: writeLogs,
  read: readLogs,
  rules: LOGS_RULES
};
