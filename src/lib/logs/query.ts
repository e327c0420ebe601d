/**
 * The filter box's language, both ways: `timeout level>=warn service=api /fail(ed)?/i r-42`.
 * Words are the text filter; `key=value` matches a field exactly (`id=…` any request or trace
 * id); `level>=warn` is the lowest level; `/…/` (optionally `/…/i`) a regex; `from=` and `to=` a
 * time range (ISO). A lone word that looks like an id (letters, digits and `-`, `_`, `.`, `:`
 * with a digit in it) is searched as text, which finds it wherever it stands in the line.
 */
import { LEVELS, MAX_FILTER_CHARS, MAX_FILTER_FIELDS, type Author, type Level, type LogFilter } from '../protocol/logs.ts';
import { timeOf } from './parse.ts';

function tokens(input: string): string[] {
  const out: string[] = [];
  const re = /\/(?:[^/\\]|\\.)+\/i?|[^\s"=]+=(?:"(?:[^"\\]|\\.)*"|\S+)|"(?:[^"\\]|\\.)*"|\S+/g;
  for (const m of input.matchAll(re)) out.push(m[0]);
  return out;
}

const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') && s.length > 1 ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s);

export function parseQuery(input: string): { filter: LogFilter } | { error: string } {
  const f: LogFilter = {};
  const words: string[] = [];
  const fields: { key: string; value: string }[] = [];
  for (const tok of tokens(input.trim())) {
    const rx = /^\/(.+)\/(i?)$/.exec(tok);
    if (rx) {
      const source = rx[2] ? `(?i)${rx[1]}` : rx[1];
      try {
        new RegExp(rx[1], rx[2]);
      } catch (e) {
        return { error: `Not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}` };
      }
      f.regex = source;
      continue;
    }
    const lv = /^level>=(\w+)$/.exec(tok);
    if (lv) {
      if (!LEVELS.includes(lv[1].toLowerCase() as Level)) return { error: `Unknown level "${lv[1]}": use one of ${LEVELS.join(', ')}.` };
      f.level = lv[1].toLowerCase() as Level;
      continue;
    }
    const kv = /^([^\s"=]+)=(.+)$/.exec(tok);
    if (kv) {
      const value = unquote(kv[2]);
      if (kv[1] === 'from' || kv[1] === 'to') {
        const t = timeOf(value);
        if (t === null) return { error: `"${value}" is not a time: use an ISO time like 2026-12-01T04:00:00Z.` };
        f[kv[1]] = t;
      } else fields.push({ key: kv[1], value });
      continue;
    }
    words.push(unquote(tok));
  }
  if (fields.length > MAX_FILTER_FIELDS) return { error: `At most ${MAX_FILTER_FIELDS} field filters.` };
  if (fields.length) f.fields = fields;
  const text = words.join(' ');
  if (text.length > MAX_FILTER_CHARS) return { error: `The text is longer than ${MAX_FILTER_CHARS} characters.` };
  if (text) f.text = text;
  return { filter: f };
}

const quote = (v: string) => (/[\s"]/.test(v) ? JSON.stringify(v) : v);

/** The filter as typed (what the box shows when someone else set it). */
export function formatQuery(f: LogFilter): string {
  const parts: string[] = [];
  if (f.text) parts.push(f.text);
  for (const { key, value } of f.fields ?? []) parts.push(`${key}=${quote(value)}`);
  if (f.level) parts.push(`level>=${f.level}`);
  if (f.regex) parts.push(f.regex.startsWith('(?i)') ? `/${f.regex.slice(4)}/i` : `/${f.regex}/`);
  if (f.from !== undefined) parts.push(`from=${new Date(f.from).toISOString()}`);
  if (f.to !== undefined) parts.push(`to=${new Date(f.to).toISOString()}`);
  return parts.join(' ');
}

/** A replay marker's text for a filter change. */
export function logFilterLabel(e: { filter: LogFilter; by: Author | null; note: string | null }): string {
  const q = formatQuery(e.filter) || '(everything)';
  return e.note ? `log filter: ${q} — ${e.note}` : `${e.by?.name ?? 'host'} filtered the logs: ${q}`;
}
