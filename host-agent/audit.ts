/**
 * Who did what: one JSON line per event (joins, leaves, input coalesced per author into readable
 * chunks, terminal changes, refused attempts) with its author, hash-chained (record/chain.ts) so `live-sessions audit verify` finds
 * any edit. Appended through a write stream: in order, without a synchronous disk write on the
 * keystroke path; `close()` flushes.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { UNDISCLOSED_NAME, type Claims } from '../src/lib/protocol/credentials.ts';
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
  /** the person goes by `who.name` from here on */
  | { kind: 'rename'; from: string }
  /** the owner (`who`) made a participant an editor or a viewer, removed one, or made the session
   * relay-only; `of`: the participant it was about, with the name it went by */
  | { kind: 'decision'; act: 'role'; of: string; name: string; role: 'editor' | 'viewer' }
  | { kind: 'decision'; act: 'remove'; of: string; name: string }
  | { kind: 'decision'; act: 'relay-only' }
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

type Who = Pick<Claims, 'sub' | 'name' | 'role'>;

/** How long a join waits for the person's name (pages send it right after connecting). */
export const JOIN_NAME_WAIT_MS = 3000;

export class AuditLog {
  readonly path: string;
  /** every record, after it was written (traces follow the audit: host-agent/otel) */
  readonly recorded = new Emitter<AuditRecord>();
  #out: WriteStream;
  #chain: Chain;
  #input = new InputChunks((c) => this.#inputLine(c));
  #redact: Redactor | null;
  #failed = false;
  /** joins under the placeholder name the server was told, held until the real name arrives */
  #pendingJoins = new Map<string, { who: Who; timer: ReturnType<typeof setTimeout> }>();
  /** the name each present peer was last written under (renames say what it was) */
  #names = new Map<string, string>();

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

  record(who: Who, e: AuditEvent): void {
    // input typed before this event goes first
    this.#input.flush();
    if (e.kind === 'join' && who.name === UNDISCLOSED_NAME && !this.#pendingJoins.has(who.sub)) {
      // a page tells the server a placeholder and its peers the real name: the record names the person
      const timer = setTimeout(() => this.#flushJoin(who), JOIN_NAME_WAIT_MS);
      timer.unref?.();
      this.#pendingJoins.set(who.sub, { who, timer });
      return;
    }
    this.#write(who, e, new Date());
  }

  /** The peer now goes by `who.name`: completes a held join, or records the rename. */
  renamed(who: Who): void {
    this.#input.flush();
    if (this.#pendingJoins.has(who.sub)) return this.#flushJoin(who);
    const from = this.#names.get(who.sub);
    if (from !== undefined && from !== who.name) this.#write(who, { kind: 'rename', from }, new Date());
  }

  #flushJoin(who: Who): void {
    const held = this.#pendingJoins.get(who.sub);
    if (held === undefined) return;
    clearTimeout(held.timer);
    this.#pendingJoins.delete(who.sub);
    this.#write(who, { kind: 'join' }, new Date());
  }

  /** Terminal input, coalesced per author into readable chunks (record/input-chunks.ts). */
  input(who: Pick<Claims, 'sub' | 'name' | 'role'>, term: number, data: Uint8Array, hidden: boolean): void {
    this.#input.add(who, term, data, hidden);
  }

  #inputLine(c: InputChunk): void {
    this.#write(c.who, c.hidden ? { kind: 'input', term: c.term, hidden: true, bytes: c.bytes } : { kind: 'input', term: c.term, data: c.data }, c.at);
  }

  #write(who: Who, e: AuditEvent, at: Date): void {
    // anything else this person does comes after their join
    if (this.#pendingJoins.has(who.sub)) this.#flushJoin(who);
    if (e.kind === 'leave') this.#names.delete(who.sub);
    else this.#names.set(who.sub, who.name);
    if (this.#failed) return;
    const r = this.#redact;
    if (r) e = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'string' && FREE_TEXT.has(k) ? r(v) : v])) as AuditEvent;
    this.#out.write(this.#chain.next({ t: at.toISOString(), who: { id: who.sub, name: who.name, role: who.role }, ...e }));
    this.recorded.fire({ t: at.getTime(), who, event: e });
  }

  /** Resolves once every record is on disk. */
  close(): Promise<void> {
    this.#input.dispose();
    for (const { who } of [...this.#pendingJoins.values()]) this.#flushJoin(who);
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
