/**
 * Shared terminals (capability byte CAP.TERMINAL). The host owns every PTY; participants
 * subscribe, type and manage terminals; the host streams sequence-numbered output.
 *
 *   up (participant → host)                      down (host → participants)
 *   input    [1] id:u16 bytes (≤ 8 KiB)          output   [0] id:u16 seq:u32 bytes
 *   open     [4] {cols, rows}                    snapshot [2] id:u16 seq:u32 cols:u16 rows:u16 utf-8
 *   close    [5] {id}                            terms    [3] {list: TermInfo[]}
 *   restart  [6] {id}
 *   resize   [7] {id, cols, rows}
 *   sub      [8] {id, from?}
 *   ack      [9] {id, seq}
 *
 * Subscribing: `sub {id}` asks for a snapshot (the screen and scrollback after output `seq`) and
 * then live output from seq + 1; `sub {id, from}` resumes at `from` when the host's ring still
 * has it (else a snapshot). Output `seq` counts chunks per terminal from 1; a receiver applies it
 * strictly in order and asks `sub {from}` on a gap.
 *
 * Flow control: a page acknowledges `ack {id, seq}` once its terminal has *parsed* (or dropped
 * for a newer snapshot) everything up to output `seq`, at most every ACK_EVERY_BYTES of output and
 * after each snapshot. The host counts what it sent after the last acknowledged seq as that page's
 * backlog; past a limit it stops streaming to the page and later brings it to the present with a
 * snapshot, which replaces whatever the page still had queued. So a slow page never makes its
 * terminal discard data, and its final screen is always right.
 */
import { GUESTS, HOST, readJson, typeOf, utf8, WRITERS, writeJson, type Protocol, type Rules } from './capability.ts';
import { CAP, frame } from './frames.ts';
import { fail, int, obj, optInt, str } from './validate.ts';

export const MAX_TERMINALS = 16;
export const MAX_COLS = 500;
export const MAX_ROWS = 200;
/** Largest single terminal input chunk, bytes (a paste is split by the sender). */
export const MAX_INPUT_BYTES = 8 * 1024;
/** A page acknowledges parsed output at most this often (in bytes of output), and after each snapshot. */
export const ACK_EVERY_BYTES = 64 * 1024;
const MAX_ID = 0xffff;
const MAX_SEQ = 0xffffffff;

export interface TermInfo {
  id: number;
  title: string;
  cols: number;
  rows: number;
  /** set once the shell exited */
  exit: { code: number; signal: number } | null;
  /** display name of who last set the shared size (absent: the host's default) */
  sizedBy?: string;
}

export type TerminalUp =
  | { type: 'input'; id: number; data: Uint8Array }
  | { type: 'open'; cols: number; rows: number }
  | { type: 'close'; id: number }
  | { type: 'restart'; id: number }
  | { type: 'resize'; id: number; cols: number; rows: number }
  /** start (or resume) receiving a terminal: `from` is the next output seq wanted, if any */
  | { type: 'sub'; id: number; from?: number }
  /** the page's terminal has parsed (or dropped for a newer snapshot) all output up to `seq` */
  | { type: 'ack'; id: number; seq: number };

export type TerminalDown =
  | { type: 'output'; id: number; seq: number; data: Uint8Array }
  /** the screen and scrollback after output `seq` (live frames continue at seq + 1) */
  | { type: 'snapshot'; id: number; seq: number; cols: number; rows: number; data: string }
  | { type: 'terms'; list: TermInfo[] };

export type TerminalMessage = TerminalUp | TerminalDown;

/** index = type byte */
const TYPES = ['output', 'input', 'snapshot', 'terms', 'open', 'close', 'restart', 'resize', 'sub', 'ack'] as const satisfies readonly TerminalMessage['type'][];
const OUTPUT = 0;
const INPUT = 1;
const SNAPSHOT = 2;
const MAX_TERM_JSON_BYTES = 64 * 1024;
/** `{"id":65535,"seq":4294967295}` is 30 bytes: anything much longer is not an ack */
const MAX_ACK_JSON_BYTES = 64;

function binary(type: number, header: number, data: Uint8Array, fill: (v: DataView) => void): Uint8Array {
  const body = new Uint8Array(1 + header + data.length);
  body[0] = type;
  fill(new DataView(body.buffer, 1, header));
  body.set(data, 1 + header);
  return frame(CAP.TERMINAL, body);
}

export function writeTerminal(m: TerminalMessage): Uint8Array {
  switch (m.type) {
    case 'output':
      return binary(OUTPUT, 6, m.data, (v) => (v.setUint16(0, m.id), v.setUint32(2, m.seq)));
    case 'input':
      return binary(INPUT, 2, m.data, (v) => v.setUint16(0, m.id));
    case 'snapshot':
      return binary(SNAPSHOT, 10, utf8.encode(m.data), (v) => {
        v.setUint16(0, m.id);
        v.setUint32(2, m.seq);
        v.setUint16(6, m.cols);
        v.setUint16(8, m.rows);
      });
    default: {
      const { type, ...fields } = m;
      return writeJson(CAP.TERMINAL, TYPES.indexOf(type), fields);
    }
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
  const info: TermInfo = { id: int(o, 'id', 0, MAX_ID), title: str(o, 'title', 200), cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS), exit };
  if (o.sizedBy !== undefined) info.sizedBy = str(o, 'sizedBy', 64);
  return info;
}

function checkSize(cols: number, rows: number): void {
  if (cols < 1 || cols > MAX_COLS) fail(`"cols" must be an integer from 1 to ${MAX_COLS}`);
  if (rows < 1 || rows > MAX_ROWS) fail(`"rows" must be an integer from 1 to ${MAX_ROWS}`);
}

export function readTerminal(body: Uint8Array): TerminalMessage {
  const type = typeOf(body, TYPES, 'terminal');
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (type) {
    case 'output':
      if (body.length < 7) fail('truncated terminal output message', 'bad-frame');
      return { type, id: v.getUint16(1), seq: v.getUint32(3), data: body.subarray(7) };
    case 'input':
      if (body.length < 3) fail('truncated terminal input message', 'bad-frame');
      if (body.length - 3 > MAX_INPUT_BYTES) fail(`terminal input over ${MAX_INPUT_BYTES} bytes`, 'too-large');
      return { type, id: v.getUint16(1), data: body.subarray(3) };
    case 'snapshot': {
      if (body.length < 11) fail('truncated terminal snapshot', 'bad-frame');
      const [cols, rows] = [v.getUint16(7), v.getUint16(9)];
      checkSize(cols, rows);
      return { type, id: v.getUint16(1), seq: v.getUint32(3), cols, rows, data: utf8.decode(body.subarray(11), 'terminal snapshot') };
    }
    case 'terms': {
      const o = readJson(body, MAX_TERM_JSON_BYTES);
      if (!Array.isArray(o.list) || o.list.length > MAX_TERMINALS) fail(`"list" must hold at most ${MAX_TERMINALS} terminals`);
      return { type, list: o.list.map(termInfo) };
    }
    case 'open': {
      const o = readJson(body, MAX_TERM_JSON_BYTES);
      return { type, cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS) };
    }
    case 'close':
    case 'restart':
      return { type, id: int(readJson(body, MAX_TERM_JSON_BYTES), 'id', 0, MAX_ID) };
    case 'resize': {
      const o = readJson(body, MAX_TERM_JSON_BYTES);
      return { type, id: int(o, 'id', 0, MAX_ID), cols: int(o, 'cols', 1, MAX_COLS), rows: int(o, 'rows', 1, MAX_ROWS) };
    }
    case 'sub': {
      const o = readJson(body, MAX_TERM_JSON_BYTES);
      return { type, id: int(o, 'id', 0, MAX_ID), from: optInt(o, 'from', 0, MAX_SEQ) };
    }
    case 'ack': {
      const o = readJson(body, MAX_ACK_JSON_BYTES);
      return { type, id: int(o, 'id', 0, MAX_ID), seq: int(o, 'seq', 0, MAX_SEQ) };
    }
  }
}

const toHost = (from: readonly typeof GUESTS[number][], denied?: string) => ({ from, to: HOST, denied });
const fromHost = { from: HOST, to: GUESTS };
const VIEWERS_CANNOT = (what: string) => `You are a viewer: you cannot ${what} terminals.`;

export const TERMINAL_RULES: Rules<TerminalMessage> = {
  input: toHost(WRITERS, 'You are a viewer: your keystrokes are not sent to the terminal.'),
  open: toHost(WRITERS, VIEWERS_CANNOT('open')),
  close: toHost(WRITERS, VIEWERS_CANNOT('close')),
  restart: toHost(WRITERS, VIEWERS_CANNOT('restart')),
  resize: toHost(WRITERS, VIEWERS_CANNOT('resize')),
  sub: toHost(GUESTS),
  ack: toHost(GUESTS),
  output: fromHost,
  snapshot: fromHost,
  terms: fromHost
};

export const terminalProtocol: Protocol<TerminalUp, TerminalDown> = {
  cap: CAP.TERMINAL,
  name: 'terminal',
  write: writeTerminal,
  read: readTerminal,
  rules: TERMINAL_RULES
};
