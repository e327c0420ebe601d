/**
 * Who typed what: one JSON line per input chunk (and per refused attempt) with its author.
 * (The hash-chained audit log and asciicast recording come later; this is the plain record.)
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Claims } from '../src/lib/protocol/credentials.ts';

export type AuditEvent =
  | { kind: 'input'; term: number; data: string }
  | { kind: 'refused'; what: string; term?: number; bytes?: number }
  | { kind: 'join' | 'leave' }
  | { kind: 'terminal'; action: 'open' | 'close' | 'restart' | 'resize'; term: number };

export class AuditLog {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  record(who: Pick<Claims, 'sub' | 'name' | 'role'>, e: AuditEvent): void {
    const line = JSON.stringify({ t: new Date().toISOString(), who: { id: who.sub, name: who.name, role: who.role }, ...e });
    appendFileSync(this.path, line + '\n', { mode: 0o600 });
  }
}
