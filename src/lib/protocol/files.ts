/**
 * The host's files (capability byte CAP.FILES): participants list, open, save, create, rename and
 * delete files below the root the host agent was given; the host answers each request by its
 * `req` number and tells everyone when files change on disk.
 *
 *   up (participant → host)                        down (host → participants)
 *   list   [0] {req, path}                         listing [6] {req, path, entries}
 *   open   [1] {req, path}                         opened  [7] {req, path, version, size, eol}
 *   save   [2] {req, path, force?}                 done    [8] {req, version?}
 *   create [3] {req, path, dir?}                   failed  [9] {req, code, message}
 *   rename [4] {req, from, to}                     disk   [10] {req, path, version, message} + utf-8 text (bulk lane)
 *   delete [5] {req, path}                         changed[11] {paths}
 *   reload[12] {req, path}
 *   find  [13] {req, query}                        found  [14] {req, paths, truncated}
 *   search[15] {req, query, caseSensitive}         hits   [16] {req, hits, files, stopped} (bulk lane)
 *   cancel[17] {req}  (a search of this peer: answered by its hits, stopped "cancelled")
 *
 * The text of an open file lives in the session's shared document (editor.ts): `open` makes the
 * host seed it there once, so two participants opening a file at once never duplicate it; `save`
 * writes what that document holds. A save is refused with `disk` (the answer to a conflicting
 * save: the file's text on disk, bulk lane — one message, since the lanes are not ordered with
 * each other) when the file changed on disk since it was opened or last saved; `save {force}`
 * then overwrites it, `reload` replaces the shared text with the disk's.
 * `version` names a file's content on disk (a hash), `eol` its line endings as found.
 * `find` is quick open (file paths matching a query, best first); `search` looks for literal text in
 * the files (no regular expressions: a participant's pattern never runs on the host). Both are
 * bounded on the host (files walked, hits, time) and open to viewers: they change nothing.
 */
import { HOST, readJson, typeOf, utf8, WRITERS, GUESTS, writeJson, type Protocol, type Rules } from './capability.ts';
import { CAP, frame } from './frames.ts';
import { fail, int, obj, str } from './validate.ts';

export const MAX_PATH_CHARS = 1024;
/** Most entries one listing carries (a huge directory is cut, `truncated` says so). */
export const MAX_ENTRIES = 2000;
const MAX_REQ = 0x7fffffff;
export const MAX_QUERY_CHARS = 200;
/** Most paths one `found` carries. */
export const MAX_FOUND = 50;
/** Most hits one search returns; a hit's line text is cut to MAX_HIT_TEXT_CHARS around the match. */
export const MAX_HITS = 500;
export const MAX_HIT_TEXT_CHARS = 200;
const MAX_FILES_JSON_BYTES = 512 * 1024;

export type EntryKind = 'file' | 'dir' | 'link' | 'other';
export interface Entry {
  name: string;
  kind: EntryKind;
  size: number;
}
export type Eol = 'lf' | 'crlf';
/** Why a request failed, for code (the message is for people). */
export type FailCode = 'not-found' | 'outside' | 'not-regular' | 'too-large' | 'binary' | 'exists' | 'conflict' | 'io' | 'not-open';

export interface Hit {
  path: string;
  /** 1-based line and column (UTF-16 code units) of the match */
  line: number;
  col: number;
  /** the line (or MAX_HIT_TEXT_CHARS of it around the match) */
  text: string;
}
/** Why a search ended before looking at every file: null when it did. */
export type SearchStop = null | 'hits' | 'files' | 'time' | 'cancelled';
const STOPS: readonly SearchStop[] = [null, 'hits', 'files', 'time', 'cancelled'];

export type FilesUp =
  | { type: 'list'; req: number; path: string }
  | { type: 'open'; req: number; path: string }
  | { type: 'save'; req: number; path: string; force: boolean }
  | { type: 'create'; req: number; path: string; dir: boolean }
  | { type: 'rename'; req: number; from: string; to: string }
  | { type: 'delete'; req: number; path: string }
  | { type: 'reload'; req: number; path: string }
  | { type: 'find'; req: number; query: string }
  | { type: 'search'; req: number; query: string; caseSensitive: boolean }
  | { type: 'cancel'; req: number };

export type FilesDown =
  | { type: 'listing'; req: number; path: string; entries: Entry[]; truncated: boolean }
  | { type: 'opened'; req: number; path: string; version: string; size: number; eol: Eol }
  | { type: 'done'; req: number; version: string | null }
  | { type: 'failed'; req: number; code: FailCode; message: string }
  /** the answer to a save refused as a conflict: the file's text on disk */
  | { type: 'disk'; req: number; path: string; version: string; message: string; text: string }
  | { type: 'changed'; paths: string[] }
  | { type: 'found'; req: number; paths: string[]; truncated: boolean }
  /** `files`: how many files were read */
  | { type: 'hits'; req: number; hits: Hit[]; files: number; stopped: SearchStop };

export type FilesMessage = FilesUp | FilesDown;

/** index = type byte */
const TYPES = ['list', 'open', 'save', 'create', 'rename', 'delete', 'listing', 'opened', 'done', 'failed', 'disk', 'changed', 'reload', 'find', 'found', 'search', 'hits', 'cancel'] as const satisfies readonly FilesMessage['type'][];
const DISK = TYPES.indexOf('disk');
const KINDS: readonly EntryKind[] = ['file', 'dir', 'link', 'other'];
const CODES: readonly FailCode[] = ['not-found', 'outside', 'not-regular', 'too-large', 'binary', 'exists', 'conflict', 'io', 'not-open'];

/** `disk`: `[type] headerLength:u32be header-json utf-8-text`, so the text is never escaped into JSON. */
function writeDisk(m: Extract<FilesDown, { type: 'disk' }>): Uint8Array {
  const header = utf8.encode(JSON.stringify({ req: m.req, path: m.path, version: m.version, message: m.message }));
  const text = utf8.encode(m.text);
  const body = new Uint8Array(5 + header.length + text.length);
  body[0] = DISK;
  new DataView(body.buffer).setUint32(1, header.length);
  body.set(header, 5);
  body.set(text, 5 + header.length);
  return frame(CAP.FILES, body);
}

export function writeFiles(m: FilesMessage): Uint8Array {
  if (m.type === 'disk') return writeDisk(m);
  const { type, ...fields } = m;
  return writeJson(CAP.FILES, TYPES.indexOf(type), fields);
}

const path = (o: Record<string, unknown>, key = 'path') => {
  const p = str(o, key, MAX_PATH_CHARS);
  if (p.includes('\0')) fail(`"${key}" must not contain NUL`);
  return p;
};
const req = (o: Record<string, unknown>) => int(o, 'req', 0, MAX_REQ);
const bool = (o: Record<string, unknown>, key: string) => o[key] === true;
const query = (o: Record<string, unknown>) => str(o, 'query', MAX_QUERY_CHARS);
const paths = (o: Record<string, unknown>, max: number) => {
  if (!Array.isArray(o.paths) || o.paths.length > max) fail(`"paths" must hold at most ${max} paths`);
  return o.paths.map((p, i) => path({ [i]: p }, String(i)));
};

function hit(v: unknown): Hit {
  const o = obj(v, 'hit');
  return { path: path(o), line: int(o, 'line', 1, MAX_REQ), col: int(o, 'col', 1, MAX_REQ), text: str(o, 'text', MAX_HIT_TEXT_CHARS * 2) };
}

function entry(v: unknown): Entry {
  const o = obj(v, 'entry');
  const kind = o.kind as EntryKind;
  if (!KINDS.includes(kind)) fail(`"kind" must be one of ${KINDS.join(', ')}`);
  return { name: str(o, 'name', 255, { min: 1 }), kind, size: int(o, 'size', 0, Number.MAX_SAFE_INTEGER) };
}

function readDisk(body: Uint8Array): FilesDown {
  if (body.length < 5) fail('truncated files disk message', 'bad-frame');
  const len = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(1);
  if (5 + len > body.length) fail('truncated files disk header', 'bad-frame');
  const o = readJson(body.subarray(4, 5 + len), 4096, 'disk header');
  const text = utf8.decode(body.subarray(5 + len), 'file text');
  return { type: 'disk', req: req(o), path: path(o), version: str(o, 'version', 64), message: str(o, 'message', 2000), text };
}

export function readFiles(body: Uint8Array): FilesMessage {
  const type = typeOf(body, TYPES, 'files');
  if (type === 'disk') return readDisk(body);
  const o = readJson(body, MAX_FILES_JSON_BYTES);
  switch (type) {
    case 'list':
    case 'open':
    case 'delete':
    case 'reload':
      return { type, req: req(o), path: path(o) };
    case 'save':
      return { type, req: req(o), path: path(o), force: bool(o, 'force') };
    case 'create':
      return { type, req: req(o), path: path(o), dir: bool(o, 'dir') };
    case 'rename':
      return { type, req: req(o), from: path(o, 'from'), to: path(o, 'to') };
    case 'listing': {
      if (!Array.isArray(o.entries) || o.entries.length > MAX_ENTRIES) fail(`"entries" must hold at most ${MAX_ENTRIES} entries`);
      return { type, req: req(o), path: path(o), entries: o.entries.map(entry), truncated: bool(o, 'truncated') };
    }
    case 'opened': {
      const eol = o.eol === 'crlf' ? 'crlf' : o.eol === 'lf' ? 'lf' : fail('"eol" must be "lf" or "crlf"');
      return { type, req: req(o), path: path(o), version: str(o, 'version', 64), size: int(o, 'size', 0, Number.MAX_SAFE_INTEGER), eol };
    }
    case 'done':
      return { type, req: req(o), version: o.version === null || o.version === undefined ? null : str(o, 'version', 64) };
    case 'failed': {
      const code = o.code as FailCode;
      if (!CODES.includes(code)) fail(`unknown files failure code`);
      return { type, req: req(o), code, message: str(o, 'message', 2000) };
    }
    case 'changed':
      return { type, paths: paths(o, MAX_ENTRIES) };
    case 'find':
      return { type, req: req(o), query: query(o) };
    case 'search':
      return { type, req: req(o), query: str(o, 'query', MAX_QUERY_CHARS, { min: 1 }), caseSensitive: bool(o, 'caseSensitive') };
    case 'cancel':
      return { type, req: req(o) };
    case 'found':
      return { type, req: req(o), paths: paths(o, MAX_FOUND), truncated: bool(o, 'truncated') };
    case 'hits': {
      if (!Array.isArray(o.hits) || o.hits.length > MAX_HITS) fail(`"hits" must hold at most ${MAX_HITS} hits`);
      const stopped = (o.stopped ?? null) as SearchStop;
      if (!STOPS.includes(stopped)) fail('unknown "stopped"');
      return { type, req: req(o), hits: o.hits.map(hit), files: int(o, 'files', 0, MAX_REQ), stopped };
    }
  }
}

const VIEWER = (what: string) => `You are a viewer: you cannot ${what} files.`;
const toHost = (from: typeof WRITERS, denied?: string) => ({ from, to: HOST, denied });
const fromHost = { from: HOST, to: GUESTS };

export const FILES_RULES: Rules<FilesMessage> = {
  list: toHost(GUESTS),
  open: toHost(GUESTS),
  save: toHost(WRITERS, VIEWER('save')),
  create: toHost(WRITERS, VIEWER('create')),
  rename: toHost(WRITERS, VIEWER('rename')),
  delete: toHost(WRITERS, VIEWER('delete')),
  reload: toHost(WRITERS, VIEWER('reload')),
  find: toHost(GUESTS),
  search: toHost(GUESTS),
  cancel: toHost(GUESTS),
  listing: fromHost,
  opened: fromHost,
  done: fromHost,
  failed: fromHost,
  disk: { ...fromHost, lane: 'bulk' },
  changed: fromHost,
  found: fromHost,
  hits: { ...fromHost, lane: 'bulk' }
};

export const filesProtocol: Protocol<FilesUp, FilesDown> = {
  cap: CAP.FILES,
  name: 'files',
  write: writeFiles,
  read: readFiles,
  rules: FILES_RULES
};
