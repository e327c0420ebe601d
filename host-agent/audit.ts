/**
 * Who typed what: one JSON line per input chunk (and per refused attempt) with its author.
 * Appended through a write stream: in order, without a synchronous disk write on the keystroke
 * path; `close()` flushes. (The hash-chained audit log and asciicast recording come later.)
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Claims } from '../src/lib/protocol/credentials.ts';

export type AuditEvent =
  | { kind: 'input'; term: number; data: string }
  | { kind: 'refused'; what: string; term?: number; bytes?: number }
  | { kind: 'join' | 'leave' }
  | { kind: 'terminal'; action: 'open' | 'close' | 'restart' | 'resize'; term: number }
  | { kind: 'checkpoint'; id: number; label: string; source: string; redacted: number };

export class AuditLog {
  readonly path: string;
  #out: WriteStream;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.#out.on('error', (e) => console.error(`audit log ${path}: ${e.message}`));
  }

  record(who: Pick<Claims, 'sub' | 'name' | 'role'>, e: AuditEvent): void {
    this.#out.write(JSON.stringify({ t: new Date().toISOString(), who: { id: who.sub, name: who.name, role: who.role }, ...e }) + '\n');
  }

  /** Resolves once every record is on disk. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
