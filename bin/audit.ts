/**
 * `live-sessions audit verify FILE` and `live-sessions audit show FILE`: check an audit log's
 * hash chain, or print who did what readably.
 */
import { readFileSync } from 'node:fs';
import { verifyChain, verifyFile, type Verdict } from '../host-agent/record/chain-verify.ts';
import { UsageError } from './args.ts';

function need(file: string | undefined): string {
  if (!file) throw new UsageError('audit verify|show needs the audit log file (a .jsonl the host wrote)');
  return file;
}

function readable<T>(file: string, read: (f: string) => T): T {
  try {
    return read(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

interface Line {
  t?: string;
  kind?: string;
  who?: { name?: string; role?: string };
  [k: string]: unknown;
}

/** One readable line per record. */
export function describe(r: Line): string {
  const { t, kind, who, ...fields } = r;
  const rest = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'seq' && k !== 'prev' && k !== 'hash'));
  const time = typeof t === 'string' ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?';
  const by = who ? `${who.name ?? '?'} (${who.role ?? '?'})` : '—';
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return `${time}  ${by.padEnd(24)} ${String(kind ?? '?').padEnd(10)} ${details}`;
}

export function audit(argv: string[]): number {
  const [verb, file, ...extra] = argv;
  if (extra.length) throw new UsageError(`audit ${verb} takes one file, not ${argv.length - 1}`);
  switch (verb) {
    case 'verify': {
      // read in blocks and checked as it comes (a log of 100s of MB is never one string)
      const v: Verdict = readable(need(file), verifyFile);
      if (!v.ok) {
        console.log(`${file}: BROKEN at line ${v.line}: it ${v.why}. Lines 1–${v.lines} verify.`);
        return 1;
      }
      console.log(`${file}: intact, ${v.lines} line(s)${v.cutLast ? ', and a last line cut short (the host stopped mid-write)' : ''}.`);
      if (v.lines && v.first !== '0'.repeat(64)) console.log(`It continues an earlier log whose last hash is ${v.first}.`);
      return 0;
    }
    case 'show': {
      const text = readable(need(file), (f) => readFileSync(f, 'utf8'));
      const v = verifyChain(text);
      for (const l of text.split('\n')) {
        if (!l) continue;
        try {
          console.log(describe(JSON.parse(l) as Line));
        } catch {
          console.log(`(an incomplete line: ${l.slice(0, 60)}…)`);
        }
      }
      if (!v.ok) console.log(`\nWARNING: the chain breaks at line ${v.line}: it ${v.why}.`);
      return v.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown audit command ${JSON.stringify(verb ?? '')}: use 'audit verify FILE' or 'audit show FILE'`);
  }
}
