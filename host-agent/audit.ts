/**
 * Who did what: one JSON line per event (joins, leaves, input chunks, terminal changes, refused
 * attempts) with its author, hash-chained (record/chain.ts) so `live-sessions audit verify` finds
 * any edit. Appended through a write stream: in order, without a synchronous disk write on the
 * keystroke path; `close()` flushes.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Claims } from '../src/lib/protocol/credentials.ts';
import type { MeshPeer } from '../src/lib/mesh/mesh.ts';
import { Emitter } from '../src/lib/mesh/events.ts';
import { Chain, GENESIS } from './record/chain.ts';

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
  | { kind: 'command'; term: number; text: string | null; cwd: string | null; exit: number | null; ms: number }
  | { kind: 'file'; action: 'save' | 'create' | 'rename' | 'delete' | 'reload'; path: string; to?: string; version?: string; force?: boolean }
  | { kind: 'checkpoint'; id: number; label: string; source: string; redacted: number }
  | { kind: 'logs'; action: 'filter' | 'add-source' | 'restart' | 'pin' | 'unpin'; detail: string };

/** One record as it is written: when (ms since the epoch), who, what. */
export interface AuditRecord {
  t: number;
  who: Pick<Claims, 'sub' | 'name' | 'role'>;
  event: AuditEvent;
}

export class AuditLog {
  readonly path: string;
  /** every record, after it was written (traces follow the audit: host-agent/otel) */
  readonly recorded = new Emitter<AuditRecord>();
  #out: WriteStream;
  #chain: Chain;

  /** `after`: the last hash of the log this one continues (a restarted host), if any. */
  constructor(path: string, after: { hash: string; file: string } | null = null) {
    this.path = path;
    this.#chain = new Chain(after?.hash ?? GENESIS);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.#out.on('error', (e) => console.error(`audit log ${path}: ${e.message}`));
    if (after) this.#out.write(this.#chain.next({ t: new Date().toISOString(), kind: 'continues', file: after.file }));
  }

  record(who: Pick<Claims, 'sub' | 'name' | 'role'>, e: AuditEvent): void {
    const t = Date.now();
    this.#out.write(this.#chain.next({ t: new Date(t).toISOString(), who: { id: who.sub, name: who.name, role: who.role }, ...e }));
    this.recorded.fire({ t, who, event: e });
  }

  /** Resolves once every record is on disk. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
