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
 *   lines       [14] {gen, lines: LogLine[], skipped, history}  host → guests (bulk), packed
 *                    (log-lines.ts), or [15]: [14]'s body deflated (a flood's large messages);
 *                    [13] (fixed-width columns) and [2] (JSON) are still read (older hosts)
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
import { GUESTS, HOST, readJson, typeOf, WRITERS, writeJson, type Protocol, type Rules } from './capability.ts';
import { MAX_NAME_CHARS } from './credentials.ts';
import { CAP } from './frames.ts';
import { isRole, type Role } from './roles.ts';
import { LINES_FIXED, LINES_VARINT, readFixedLines, readLines, unpackLines, writeLines } from './log-lines.ts';
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

export function writeLogs(m: LogsMessage): Uint8Array {
  if (m.type === 'lines') return writeLines(m);
  const { type, ...fields } = m;
  return writeJson(CAP.LOGS, TYPES.indexOf(type), fields);
}

export function readLogs(body: Uint8Array): LogsMessage {
  if (body[0] === LINES_VARINT) return readLines(body.subarray(1));
  if (body[0] === LINES_FIXED) return readFixedLines(body.subarray(1));
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
  unpack: unpackLines,
  rules: LOGS_RULES
};
