/**
 * Who did what: one JSON line per event (joins, leaves, input coalesced per author into readable
 * chunks, terminal changes, refused attempts) with its author, hash-chained (record/chain.ts) so `live-sessions audit verify` finds
 * any edit. Appended through a write stream: in order, without a synchronous disk write on the
 * keystroke path; `close()` flushes.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Claims } from '../src/lib/protocol/credentials.ts';
import type { MeshPeer } from '../src/lib/mesh/mesh.ts';
import { Emitter } from '../src/lib/mesh/events.ts';
import { Chain, GENESIS } from './record/chain.ts';
import { InputChunks, type InputChunk } from './record/input-chunks.ts';
import type { Redactor } from './redact/record-rules.ts';

/** Who did it, for the audit: the name the peer goes by (pages tell the server only a placeholder,
 * peers the real one) and the role it has now (the owner may have changed it). */
export function who(p: MeshPeer): Pick<Claims, 'sub' | 'name' | 'role'> {
  return { sub: p.id, name: p.name, role: p.role };
}

export type AuditEvent =
  | { kind: 'input'; term: number; data: string }
  /** input typed while the terminal had echo off (a password prompt): who and how much, not what */
  | { kind: 'input'; term: number; hidden: true; bytes: number }
  /** `count`: repeats merged into this record (refusals.ts) */
  | { kind: 'refused'; what: string; term?: number; bytes?: number; count?: number }
  | { kind: 'join' | 'leave' }
  | { kind: 'terminal'; action: 'open' | 'close' | 'restart' | 'resize'; term: number }
  /** `inside`: lines typed into it while it ran (commands the host could not see: ssh, a REPL) */
  | { kind: 'command'; term: number; text: string | null; cwd: string | null; exit: number | null; ms: number; inside?: number }
  | { kind: 'file'; action: 'save' | 'create' | 'rename' | 'delete' | 'reload'; path: string; to?: string; version?: string; force?: boolean }
  | { kind: 'checkpoint'; id: number; label: string; source: string; redacted: number }
  | { kind: 'logs'; action: 'filter' | 'add-source' | 'restart' | 'pin' | 'unpin'; detail: string };

/** One record as it is written: when (ms since the epoch), who, what. */
export interface AuditRecord {
  t: number;
  who: Pick<Claims, 'sub' | 'name' | 'role'>;
  event: AuditEvent;
}

/** The event fields that hold what people typed or named (the rest is ours: kinds, actions, ids). */
const FREE_TEXT = new Set(['data', 'text', 'cwd', 'path', 'to', 'label']);

export class AuditLog {
  readonly path: string;
  /** every record, after it was written (traces follow the audit: host-agent/otel) */
  readonly recorded = new Emitter<AuditRecord>();
  #out: WriteStream;
  #chain: Chain;
  #input = new InputChunks((c) => this.#inputLine(c));
  #redact: Redactor | null;
  #failed = false;

  /**
   * `after`: the last hash of the log this one continues (a restarted host), if any; `redact`:
   * applied to every text an event carries (typed input, command lines, paths) before it is written;
   * `onError`: told once when writing fails (disk full, the file gone bad), and the log stops.
   */
  constructor(
    path: string,
    after: { hash: string; file: string } | null = null,
    redact: Redactor | null = null,
    onError: (e: Error) => void = (e) => console.error(`audit log ${path}: ${e.message}`)
  ) {
    this.path = path;
    this.#redact = redact;
    this.#chain = new Chain(after?.hash ?? GENESIS);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.#out.on('error', (e) => {
      // once: a chain with a hole would not verify anyway, and the session goes on without it
      if (!this.#failed) onError(e);
      this.#failed = true;
    });
    if (after) this.#out.write(this.#chain.next({ t: new Date().toISOString(), kind: 'continues', file: after.file }));
  }

  record(who: Pick<Claims, 'sub' | 'name' | 'role'>, e: AuditEvent): void {
    // input typed before this event goes first
    this.#input.flush();
    this.#write(who, e, new Date());
  }

  /** Terminal input, coalesced per author into readable chunks (record/input-chunks.ts). */
  input(who: Pick<Claims, 'sub' | 'name' | 'role'>, term: number, data: Uint8Array, hidden: boolean): void {
    this.#input.add(who, term, data, hidden);
  }

  #inputLine(c: InputChunk): void {
    this.#write(c.who, c.hidden ? { kind: 'input', term: c.term, hidden: true, bytes: c.bytes } : { kind: 'input', term: c.term, data: c.data }, c.at);
  }

  #write(who: Pick<Claims, 'sub' | 'name' | 'role'>, e: AuditEvent, at: Date): void {
    if (this.#failed) return;
    const r = this.#redact;
    if (r) e = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'string' && FREE_TEXT.has(k) ? r(v) : v])) as AuditEvent;
    this.#out.write(this.#chain.next({ t: at.toISOString(), who: { id: who.sub, name: who.name, role: who.role }, ...e }));
    this.recorded.fire({ t: at.getTime(), who, event: e });
  }

  /** Resolves once every record is on disk. */
  close(): Promise<void> {
    this.#input.dispose();
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
