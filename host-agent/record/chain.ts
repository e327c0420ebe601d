/**
 * The audit log's hash chain: every line is a JSON object carrying its sequence number, the hash
 * of the line before it and its own hash (sha-256 over the previous hash and the line's JSON
 * without `hash`). Editing, deleting, reordering or cutting out a line breaks the chain at that
 * line; a line cut short by a crash can only be the last one, and everything before it verifies.
 * Every log starts at seq 1; one that continues an earlier log (a restarted host) starts from that
 * log's last hash instead of GENESIS, so deleting first lines is caught too.
 */
import { createHash } from 'node:crypto';

/** `prev` of the first line of a log that continues nothing. */
export const GENESIS = '0'.repeat(64);

export interface Chained {
  seq: number;
  prev: string;
  hash: string;
  [field: string]: unknown;
}

function digest(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
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
    let rec: Chained;
    try {
      rec = JSON.parse(lines[i]) as Chained;
    } catch {
      return { ok: false, lines: i, line: n, why: 'is not a complete JSON line (cut or edited)' };
    }
    if (typeof rec.hash !== 'string' || typeof rec.prev !== 'string' || typeof rec.seq !== 'number') {
      return { ok: false, lines: i, line: n, why: 'has no seq, prev and hash' };
    }
    if (prev === null) first = rec.prev;
    else if (rec.prev !== prev) {
      return { ok: false, lines: i, line: n, why: `does not follow line ${i} (a line was deleted, moved or replaced before it)` };
    }
    if (rec.seq !== seq + 1) return { ok: false, lines: i, line: n, why: `has seq ${rec.seq} where ${seq + 1} was due (lines before it deleted or reordered)` };
    const { hash, ...rest } = rec;
    if (digest(rec.prev, JSON.stringify(rest)) !== hash) return { ok: false, lines: i, line: n, why: 'was edited (its hash does not match its content)' };
    prev = hash;
    seq = rec.seq;
  }
  return { ok: true, lines: complete, last: prev ?? GENESIS, first, cutLast };
}
