/**
 * The shared document (capability byte CAP.EDITOR): one Yjs document per session, synchronised
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
 * Roles: a viewer's sync2, update and big are refused by every peer, and are strikes (a viewer's
 * client never sends them); a viewer may ask (sync1) and share its cursor (aware).
 */
import { EVERYONE, typeOf, type Protocol, type Rules } from './capability.ts';
import { CAP, frame } from './frames.ts';
import type { Role } from './roles.ts';

/** An update larger than this travels on the bulk lane, bytes. */
export const BIG_UPDATE_BYTES = 32 * 1024;
/** who may change the shared document */
export const DOC_WRITERS: readonly Role[] = ['owner', 'host', 'editor'];

export type EditorMessage =
  | { type: 'sync1'; data: Uint8Array }
  | { type: 'sync2'; data: Uint8Array }
  | { type: 'update'; data: Uint8Array }
  | { type: 'big'; data: Uint8Array }
  | { type: 'aware'; data: Uint8Array };

/** index = type byte */
const TYPES = ['sync1', 'sync2', 'update', 'big', 'aware'] as const satisfies readonly EditorMessage['type'][];

export function writeEditor(m: EditorMessage): Uint8Array {
  const body = new Uint8Array(1 + m.data.length);
  body[0] = TYPES.indexOf(m.type);
  body.set(m.data, 1);
  return frame(CAP.EDITOR, body);
}

/** The payload is checked by Yjs when it is applied (a malformed one throws there: a strike). */
export function readEditor(body: Uint8Array): EditorMessage {
  const type = typeOf(body, TYPES, 'editor');
  const data = body.subarray(1);
  switch (type) {
    case 'sync1':
    case 'sync2':
    case 'update':
    case 'big':
    case 'aware':
      return { type, data };
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
  aware: anyone
};

export const editorProtocol: Protocol<EditorMessage, EditorMessage> = {
  cap: CAP.EDITOR,
  name: 'editor',
  write: writeEditor,
  read: readEditor,
  rules: EDITOR_RULES
};
