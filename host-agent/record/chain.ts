/**
 * The audit log's hash chain: every line is a JSON object carrying its sequence number, the hash
 * of the line before it and its own hash (sha-256 over the previous hash and the line's JSON
 * without `hash`). Editing, deleting, reordering or cutting out a line breaks the chain at that
 * line; a line cut short by a crash can only be the last one, and everything before it verifies.
 * Every log starts at seq 1; one that continues an earlier log (a restarted host) starts from that
 * log's last hash instead of GENESIS, so deleting first lines is caught too.
 */
import { hash } from 'node:crypto';

/** `prev` of the first line of a log that continues nothing. */
export const GENESIS = '0'.repeat(64);

export interface Chained {
  seq: number;
  prev: string;
  hash: string;
  [field: string]: unknown;
}

function digest(prev: string, body: string): string {
  // one-shot hash: no Hash object per line (verifying a long log spent most of its time on those)
  return hash('sha256', `${prev}\n${body}`, 'hex');
}

/** Hands out the next line of a chain. */
export class Chain {
  #prev: string;

  #seq = 0;
  constructor(prev = GENESIS) {
    this.#prev = prev;
  }

  get last(): string {
    return this.#prev;
  }

  /** The line for `record` (a JSON line ending in a newline). */
  next(record: Record<string, unknown>): string {
    const body = JSON.stringify({ seq: ++this.#seq, prev: this.#prev, ...record });
    const hash = digest(this.#prev, body);
    this.#prev = hash;
    return `${body.slice(0, -1)},"hash":"${hash}"}\n`;
  }
}

export type Verdict =
  | { ok: true; lines: number; last: string; first: string; cutLast: boolean }
  | { ok: false; lines: number; line: number; why: string };

/**
 * Checks a whole log. `lines` counts the lines that verified. A final line without its newline
 * (a crash mid-write) is reported as `cutLast`, not as a break.
 */
export function verifyChain(text: string): Verdict {
  const lines = text.split('\n');
  const cutLast = lines.at(-1) !== '';
  if (!cutLast) lines.pop();
  else if (lines.length === 1 && lines[0] === '') return { ok: true, lines: 0, last: GENESIS, first: GENESIS, cutLast: false };
  let prev: string | null = null;
  let first = GENESIS;
  let seq = 0;
  const complete = cutLast ? lines.length - 1 : lines.length;
  for (let i = 0; i < complete; i++) {
    const n = i + 1;
    const line = lines[i];
    // Chain.next writes `{"seq":N,"prev":"…",…,"hash":"…"}`: the hash covers the exact text before
    // `,"hash"`, so the line is checked as written, without parsing and printing it again (the
    // slow part of verifying a long log)
    const head = HEAD.exec(line);
    const tail = line.length > 75 ? TAIL.exec(line.slice(-75)) : null;
    if (!head || !tail) {
      let rec: Partial<Chained>;
      try {
        rec = JSON.parse(line) as Partial<Chained>;
      } catch {
        return { ok: false, lines: i, line: n, why: 'is not a complete JSON line (cut or edited)' };
      }
      if (typeof rec.hash !== 'string' || typeof rec.prev !== 'string' || typeof rec.seq !== 'number') return { ok: false, lines: i, line: n, why: 'has no seq, prev and hash' };
      return { ok: false, lines: i, line: n, why: 'was edited (its hash does not match its content)' };
    }
    const lineSeq = Number(head[1]);
    const linePrev = head[2];
    if (prev === null) first = linePrev;
    else if (linePrev !== prev) {
      return { ok: false, lines: i, line: n, why: `does not follow line ${i} (a line was deleted, moved or replaced before it)` };
    }
    if (lineSeq !== seq + 1) return { ok: false, lines: i, line: n, why: `has seq ${lineSeq} where ${seq + 1} was due (lines before it deleted or reordered)` };
    if (digest(linePrev, line.slice(0, -75) + '}') !== tail[1]) return { ok: false, lines: i, line: n, why: 'was edited (its hash does not match its content)' };
    prev = tail[1];
    seq = lineSeq;
  }
  return { ok: true, lines: complete, last: prev ?? GENESIS, first, cutLast };
}

const HEAD = /^\{"seq":(\d{1,15}),"prev":"([0-9a-f]{64})"/;
const TAIL = /^,"hash":"([0-9a-f]{64})"\}$/;
