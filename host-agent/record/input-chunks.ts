/**
 * Terminal input for the audit log, coalesced per author and terminal into readable chunks: a
 * line per command typed, not one per keystroke. A chunk ends at Enter (`\r` or `\n`, kept in it),
 * when someone else types into that terminal, when its author pauses for IDLE_MS, when it reaches
 * CHUNK_CHARS, and whenever the log writes anything else (so the log stays in order). Input typed
 * with echo off is its own chunk that counts bytes and holds nothing of what was typed.
 */
import type { Claims } from '../../src/lib/protocol/credentials.ts';
import { charEnd } from './utf8.ts';

/** A pause this long ends a chunk, ms. */
export const IDLE_MS = 1_000;
/** Longest chunk, characters (a paste is cut into chunks this long). */
export const CHUNK_CHARS = 4_096;

export type Who = Pick<Claims, 'sub' | 'name' | 'role'>;

export type InputChunk =
  | { who: Who; at: Date; term: number; hidden: false; data: string }
  | { who: Who; at: Date; term: number; hidden: true; bytes: number };

interface Pending {
  who: Who;
  at: Date;
  hidden: boolean;
  data: string;
  bytes: number;
  /** when its author last typed, ms */
  last: number;
}

export class InputChunks {
  #emit: (c: InputChunk) => void;
  #pending = new Map<number, Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dec = new TextDecoder();
  /** the first bytes of a character whose last ones have not come yet, by `${term} ${sub}` (a
   * character may be cut across two input messages; only present while one is) */
  #carry = new Map<string, Uint8Array>();

  constructor(emit: (c: InputChunk) => void) {
    this.#emit = emit;
  }

  /** Input `who` typed into `term` (`hidden`: the terminal had echo off). */
  add(who: Who, term: number, data: Uint8Array, hidden: boolean): void {
    const p = this.#pending.get(term);
    // a keystroke that goes on its author's chunk (most of them): appended, nothing else to do
    // (a pending chunk has its idle timer armed)
    if (p && !hidden && !p.hidden && p.who.sub === who.sub && data.length <= 16 && p.data.length + data.length < CHUNK_CHARS && !data.includes(0x0d) && !data.includes(0x0a)) {
      p.data += this.#decode(who, term, data);
      p.last = performance.now();
      return;
    }
    if (p && (p.who.sub !== who.sub || p.hidden !== hidden)) this.#flush(term);
    else if (p) p.last = performance.now();
    if (hidden) {
      // a character begun before echo went off is not finished by what is typed unseen
      if (this.#carry.size) this.#carry.delete(`${term} ${who.sub}`);
      const h = this.#open(who, term, true);
      h.bytes += data.length;
      if (data.includes(0x0d) || data.includes(0x0a)) this.#flush(term);
    } else {
      // one line per Enter: a multi-line paste is several chunks
      for (let part of this.#decode(who, term, data).split(/(?<=[\r\n])/)) {
        while (part) {
          const c = this.#open(who, term, false);
          let room = CHUNK_CHARS - c.data.length;
          // never between the two halves of a character outside the BMP (a lone half is not text);
          // the pair then starts the next chunk
          if (room < part.length && isHighSurrogate(part.charCodeAt(room - 1))) room--;
          const take = part.slice(0, room);
          part = part.slice(take.length);
          c.data += take;
          // (full: as full as it can be when part of this paste is left)
          if (/[\r\n]$/.test(take) || part || c.data.length >= CHUNK_CHARS) this.#flush(term);
        }
      }
    }
    this.#arm();
  }

  /** `data` as text, without the bytes of a last character still incomplete (kept for the next
   * input of the same author into the same terminal, whoever types in between). */
  #decode(who: Who, term: number, data: Uint8Array): string {
    if (this.#carry.size === 0 && data.length && data[data.length - 1] < 0x80) return this.#dec.decode(data);
    const key = `${term} ${who.sub}`;
    const held = this.#carry.get(key);
    if (held) {
      this.#carry.delete(key);
      const joined = new Uint8Array(held.length + data.length);
      joined.set(held);
      joined.set(data, held.length);
      data = joined;
    }
    const end = charEnd(data, 0, data.length);
    if (end < data.length) this.#carry.set(key, data.slice(end));
    return this.#dec.decode(data.subarray(0, end));
  }

  #open(who: Who, term: number, hidden: boolean): Pending {
    let p = this.#pending.get(term);
    if (!p) this.#pending.set(term, (p = { who, at: new Date(), hidden, data: '', bytes: 0, last: performance.now() }));
    return p;
  }

  #flush(term: number): void {
    const p = this.#pending.get(term);
    if (!p) return;
    this.#pending.delete(term);
    if (p.hidden) this.#emit({ who: p.who, at: p.at, term, hidden: true, bytes: p.bytes });
    else if (p.data) this.#emit({ who: p.who, at: p.at, term, hidden: false, data: p.data });
  }

  /** One timer for all terminals, set for the chunk idle longest (not re-set on every keystroke). */
  #arm(): void {
    if (this.#timer || !this.#pending.size) return;
    const oldest = Math.min(...[...this.#pending.values()].map((p) => p.last));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      for (const [t, p] of [...this.#pending]) if (now - p.last >= IDLE_MS - 1) this.#flush(t);
      this.#arm();
    }, Math.max(0, oldest + IDLE_MS - performance.now()));
  }

  /** Writes every pending chunk (before another record, or at the end). */
  flush(): void {
    for (const term of [...this.#pending.keys()]) this.#flush(term);
  }

  dispose(): void {
    this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
