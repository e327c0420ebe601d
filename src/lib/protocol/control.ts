/**
 * JSON control messages on the data channel (frame kind CONTROL). One union per direction and one
 * parse per boundary:
 *
 *   MeshMessage   any peer ↔ any peer    hello (credential), rename, error, bye
 *   HostMessage   host → peer            terms, term-snapshot, links (owners only)
 *   GuestMessage  peer → host            term-open, term-close, term-restart, term-resize, term-sub
 *
 * Handshake: when the channel opens both sides send `hello` with their credential; nothing else is
 * sent or accepted until the other side's credential verified (audience = session, sub = the peer
 * id it announced, fp = the DTLS fingerprint of this very connection).
 */
import { MAX_NAME_CHARS, MAX_TOKEN_CHARS } from './credentials.ts';
import { MAX_MESSAGE_BYTES } from './frames.ts';
import { fail, int, obj, optInt, parseJson, str, type Obj } from './validate.ts';

export const MAX_TERMINALS = 16;
export const MAX_COLS = 500;
export const MAX_ROWS = 200;
const MAX_ID = 0xffff;
const MAX_SEQ = 0xffffffff;

export interface TermInfo {
  id: number;
  title: string;
  cols: number;
  rows: number;
  /** set once the shell exited */
  exit: { code: number; signal: number } | null;
}

export type MeshMessage =
  | { type: 'hello'; token: string }
  | { type: 'rename'; name: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'bye'; reason: string };

export type HostMessage =
  | { type: 'terms'; list: TermInfo[] }
  /** the screen and scrollback after output `seq` (live frames continue at seq + 1) */
  | { type: 'term-snapshot'; id: number; seq: number; cols: number; rows: number; data: string }
  /** the share links, sent to owners only */
  | { type: 'links'; links: Partial<Record<'owner' | 'editor' | 'viewer', string>> };

export type GuestMessage =
  | { type: 'term-open'; cols: number; rows: number }
  | { type: 'term-close'; id: number }
  | { type: 'term-restart'; id: number }
  | { type: 'term-resize'; id: number; cols: number; rows: number }
  /** start (or resume) receiving a terminal: `from` is the next output seq wanted, if any */
  | { type: 'term-sub'; id: number; from?: number };

function mesh(o: Obj): MeshMessage | null {
  switch (o.type) {
    case 'hello':
      return { type: 'hello', token: str(o, 'token', MAX_TOKEN_CHARS, { min: 1 }) };
    case 'rename':
      return { type: 'rename', name: str(o, 'name', MAX_NAME_CHARS, { min: 1 }) };
    case 'error':
      return { type: 'error', code: str(o, 'code', 64), message: str(o, 'message', 1000) };
    case 'bye':
      return { type: 'bye', reason: str(o, 'reason', 200) };
    default:
      return null;
  }
}

function termInfo(v: unknown): TermInfo {
  const o = obj(v, 'terminal');
  const e = o.exit;
  let exit: TermInfo['exit'] = null;
  if (e !== null && e !== undefined) {
    const eo = obj(e, 'exit');
    exit = { code: int(eo, 'code', -1, 255), signal: int(eo, 'signal', 0, 128) };
  }
  return {
    id: int(o, 'id', 0, MAX_ID),
    title: str(o, 'title', 200),
    cols: int(o, 'cols', 1, MAX_COLS),
    rows: int(o, 'rows', 1, MAX_ROWS),
    exit
  };
}

export function parseFromHost(json: string): MeshMessage | HostMessage {
  const o = obj(parseJson(json, MAX_MESSAGE_BYTES, 'control message'), 'control message');
  const m = mesh(o);
  if (m) return m;
  switch (o.type) {
    case 'terms': {
      if (!Array.isArray(o.list) || o.list.length > MAX_TERMINALS) fail(`"list" must hold at most ${MAX_TERMINALS} terminals`);
      return { type: 'terms', list: o.list.map(termInfo) };
    }
    case 'term-snapshot':
      return {
        type: 'term-snapshot',
        id: int(o, 'id', 0, MAX_ID),
        seq: int(o, 'seq', 0, MAX_SEQ),
        cols: int(o, 'cols', 1, MAX_COLS),
        rows: int(o, 'rows', 1, MAX_ROWS),
        data: str(o, 'data', MAX_MESSAGE_BYTES)
      };
    case 'links': {
      const l = obj(o.links, 'links');
      const links: Partial<Record<'owner' | 'editor' | 'viewer', string>> = {};
      for (const k of ['owner', 'editor', 'viewer'] as const) if (l[k] !== undefined) links[k] = str(l, k, 2000);
      return { type: 'links', links };
    }
    default:
      fail(`unknown message type ${JSON.stringify(o.type)} from the host`);
  }
}

export function parseToHost(json: string): MeshMessage | GuestMessage {
  const o = obj(parseJson(json, 64 * 1024, 'control message'), 'control message');
  const m = mesh(o);
  if (m) return m;
  switch (o.type) {
    case 'term-open':
      return { type: 'term-open', cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS) };
    case 'term-close':
    case 'term-restart':
      return { type: o.type, id: int(o, 'id', 0, MAX_ID) };
    case 'term-resize':
      return { type: 'term-resize', id: int(o, 'id', 0, MAX_ID), cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS) };
    case 'term-sub':
      return { type: 'term-sub', id: int(o, 'id', 0, MAX_ID), from: optInt(o, 'from', 0, MAX_SEQ) };
    default:
      fail(`unknown message type ${JSON.stringify(o.type)} for the host`);
  }
}

/** Between two non-host peers only mesh messages exist. */
export function parseFromPeer(json: string): MeshMessage {
  const o = obj(parseJson(json, 64 * 1024, 'control message'), 'control message');
  return mesh(o) ?? fail(`unknown message type ${JSON.stringify(o.type)} from a peer`);
}
