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

/** The same hash over bytes already laid out as `prev`, '\n', the line's JSON without `hash` (chain-verify.ts). */
export function digestBytes(b: Uint8Array): string {
  return hash('sha256', b, 'hex');
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
