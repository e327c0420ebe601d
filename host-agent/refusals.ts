/**
 * Refused messages, for the audit log and the host's log: the first of a kind from a peer is
 * recorded at once, repeats within REFUSALS_WINDOW_MS are merged into one record with a count
 * (a viewer hammering the keyboard, or a script flooding refused input, writes a few lines, not
 * one per message). The router's strikes drop such a peer anyway; this keeps the record small
 * until then.
 */
import type { Claims } from '../src/lib/protocol/credentials.ts';
import type { AuditLog } from './audit.ts';

/** Repeats are merged over this long, ms. */
export const REFUSALS_WINDOW_MS = 1_000;

export interface Refusal {
  who: Pick<Claims, 'sub' | 'name' | 'role'>;
  /** `capability type` */
  what: string;
  term?: number;
  bytes?: number;
}

interface Pending {
  first: Refusal;
  count: number;
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

export class RefusalLog {
  #audit: AuditLog;
  #log: (line: string) => void;
  #pending = new Map<string, Pending>();

  constructor(audit: AuditLog, log: (line: string) => void) {
    this.#audit = audit;
    this.#log = log;
  }

  record(r: Refusal): void {
    const key = `${r.who.sub} ${r.what}`;
    const p = this.#pending.get(key);
    if (p) {
      p.count++;
      p.bytes += r.bytes ?? 0;
      return;
    }
    this.#log(`refused ${r.what} from ${r.who.role} ${r.who.name} (${r.who.sub})`);
    this.#audit.record(r.who, { kind: 'refused', what: r.what, term: r.term, bytes: r.bytes });
    this.#pending.set(key, { first: r, count: 0, bytes: 0, timer: setTimeout(() => this.#flush(key), REFUSALS_WINDOW_MS) });
  }

  #flush(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(key);
    if (p.count === 0) return;
    const { who, what, term } = p.first;
    this.#log(`refused ${what} from ${who.role} ${who.name} (${who.sub}) ${p.count} more times`);
    this.#audit.record(who, { kind: 'refused', what, term, bytes: p.bytes || undefined, count: p.count });
  }

  /** Writes what is pending for one participant (it left) or everyone. */
  flush(sub?: string): void {
    for (const [key, p] of [...this.#pending]) if (sub === undefined || p.first.who.sub === sub) this.#flush(key);
  }

  dispose(): void {
    this.flush();
  }
}
