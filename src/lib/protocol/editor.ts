/**
 * The shared documents (capability byte CAP.EDITOR): one Yjs document per session, synchronised
 * between every pair of peers with y-protocols' handshake, plus awareness (names, colours,
 * cursors, what each person has open). Payloads are Yjs's own encodings, not re-encoded.
 *
 *   sync1  [0] state vector    "here is what I have": the other side answers sync2
 *   sync2  [1] update          what the asker lacks (bulk lane: it can be a whole document)
 *   update [2] update          a change, sent to every peer as it happens
 *   big    [3] update          a change over BIG_UPDATE_BYTES (a seeded file): bulk lane
 *   aware  [4] awareness update
 *
 * Handshake: when two peers connect each sends sync1; each answers the other's with sync2. After
 * that, updates flow both ways; since every peer connects to every other, nobody relays. Yjs
 * applies updates in any order (a `big` on the bulk lane may arrive after later `update`s).
 *
 * Each host file someone opened is a document of its own, synchronised only between the peers
 * that have it open (a 5-MB file never reaches a page that only types in a terminal). The same
 * handshake per file, each message naming the file's path:
 *
 *   file-sync1  [5] path, state vector   "I have this file open, and this much of it"
 *   file-sync2  [6] path, update         the answer, deflated (bulk lane)
 *   file-update [7] path, update         a change, to the peers that have the file open
 *   file-big    [8] path, update         a change over BIG_UPDATE_BYTES, deflated (bulk lane)
 *   file-close  [9] path                 "I closed it": no more of its changes for me
 *
 * A peer that opens a file sends file-sync1 to everyone (and again to each peer that connects
 * while it is open); whoever has the file open answers file-sync2 and from then on sends it that
 * file's changes, until file-close or the peer leaves.
 *
 * Roles: a viewer's sync2, update and big (and their file- forms) are refused by every peer, and
 * are strikes (a viewer's client never sends them); a viewer may ask (sync1, file-sync1, close)
 * and share its cursor (aware).
 */
import { EVERYONE, typeOf, utf8, type Protocol, type Rules } from './capability.ts';
import { CAP } from './frames.ts';
import type { Role } from './roles.ts';
import { fail } from './validate.ts';

/** An update larger than this travels on the bulk lane, bytes. */
export const BIG_UPDATE_BYTES = 32 * 1024;
/** who may change the shared document */
export const DOC_WRITERS: readonly Role[] = ['owner', 'host', 'editor'];
/** the longest path of a file document, bytes of UTF-8 (files.ts allows 1024 characters) */
export const MAX_DOC_PATH_BYTES = 4096;

export type EditorMessage =
  | { type: 'sync1'; data: Uint8Array }
  | { type: 'sync2'; data: Uint8Array }
  | { type: 'update'; data: Uint8Array }
  | { type: 'big'; data: Uint8Array }
  | { type: 'aware'; data: Uint8Array }
  | FileDocMessage;

/** A message about one file's document (its path as the file bridge names it). */
export type FileDocMessage =
  | { type: 'file-sync1'; path: string; data: Uint8Array }
  | { type: 'file-sync2'; path: string; data: Uint8Array }
  | { type: 'file-update'; path: string; data: Uint8Array }
  | { type: 'file-big'; path: string; data: Uint8Array }
  | { type: 'file-close'; path: string };

/** index = type byte */
const TYPES = ['sync1', 'sync2', 'update', 'big', 'aware', 'file-sync1', 'file-sync2', 'file-update', 'file-big', 'file-close'] as const satisfies readonly EditorMessage['type'][];

/** `[type] data`, or for a file's document `[type] [path length:u16be] path data` */
export function writeEditor(m: EditorMessage): Uint8Array {
  const path = 'path' in m ? utf8.encode(m.path) : null;
  const data = 'data' in m ? m.data : new Uint8Array(0);
  if (path && (path.length === 0 || path.length > MAX_DOC_PATH_BYTES)) throw new RangeError(`a file document's path must be 1–${MAX_DOC_PATH_BYTES} bytes`);
  // laid out in place (capability byte included): frame() would copy every keystroke's update again
  const head = path ? 4 + path.length : 2;
  const out = new Uint8Array(head + data.length);
  out[0] = CAP.EDITOR;
  out[1] = TYPES.indexOf(m.type);
  if (path) {
    out[2] = path.length >> 8;
    out[3] = path.length & 0xff;
    out.set(path, 4);
  }
  out.set(data, head);
  return out;
}

/** The path of a file document's message, and where its data starts. */
function readPath(body: Uint8Array): { path: string; data: Uint8Array } {
  if (body.length < 3) fail('editor file message without a path', 'bad-frame');
  const n = (body[1] << 8) | body[2];
  if (n === 0 || n > MAX_DOC_PATH_BYTES) fail(`editor file path of ${n} bytes (1–${MAX_DOC_PATH_BYTES})`, 'bad-frame');
  if (body.length < 3 + n) fail('editor file message shorter than its path', 'bad-frame');
  return { path: utf8.decode(body.subarray(3, 3 + n), 'editor file path'), data: body.subarray(3 + n) };
}

/** The payload is checked by Yjs when it is applied (a malformed one throws there: a strike). */
export function readEditor(body: Uint8Array): EditorMessage {
  const type = typeOf(body, TYPES, 'editor');
  switch (type) {
    case 'sync1':
    case 'sync2':
    case 'update':
    case 'big':
    case 'aware':
      return { type, data: body.subarray(1) };
    case 'file-sync1':
    case 'file-sync2':
    case 'file-update':
    case 'file-big':
      return { type, ...readPath(body) };
    case 'file-close': {
      const { path, data } = readPath(body);
      if (data.length) fail('file-close carries nothing after its path', 'bad-frame');
      return { type, path };
    }
  }
}

/** An update, on the lane its size calls for. */
export function updateMessage(data: Uint8Array): EditorMessage {
  return { type: data.length > BIG_UPDATE_BYTES ? 'big' : 'update', data };
}

const anyone = { from: EVERYONE, to: EVERYONE };
const writers = { from: DOC_WRITERS, to: EVERYONE };

export const EDITOR_RULES: Rules<EditorMessage> = {
  sync1: anyone,
  sync2: { ...writers, lane: 'bulk' },
  update: writers,
  big: { ...writers, lane: 'bulk' },
  aware: anyone,
  'file-sync1': anyone,
  'file-sync2': { ...writers, lane: 'bulk' },
  'file-update': writers,
  'file-big': { ...writers, lane: 'bulk' },
  'file-close': anyone
};

export const editorProtocol: Protocol<EditorMessage, EditorMessage> = {
  cap: CAP.EDITOR,
  name: 'editor',
  write: writeEditor,
  read: readEditor,
  rules: EDITOR_RULES
};
