/**
 * What a log line says: JSON lines (pino, bunyan, zap, logrus…) and logfmt lines (`level=info
 * msg="…" request_id=…`) are parsed into a timestamp, a level, a message, a service, request and
 * trace ids and every other field; a plain line still gives a leading timestamp and a level word.
 * Used on the host (time and level of every line, field filters) and on the page (clickable
 * fields). Pure: no DOM, no Node.
 */
import { LEVELS, type Level } from '../protocol/logs.ts';

export interface ParsedLine {
  format: 'json' | 'logfmt' | 'text';
  /** ms since the epoch, or null when the line has no timestamp we understand */
  time: number | null;
  level: Level | null;
  message: string;
  service: string | null;
  requestId: string | null;
  traceId: string | null;
  /** every field (nested JSON objects flattened with dots), values as text */
  fields: Record<string, string>;
}

const TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp', 'date', 'datetime', 't'];
const LEVEL_KEYS = ['level', 'lvl', 'severity', 'loglevel', 'log.level', 'levelname', 'severity_text'];
const MESSAGE_KEYS = ['msg', 'message', 'event', 'body'];
const SERVICE_KEYS = ['service', 'service.name', 'svc', 'app', 'application', 'component'];
export const REQUEST_ID_KEYS = ['request_id', 'requestid', 'req_id', 'reqid', 'request-id', 'x-request-id', 'rid', 'correlation_id', 'correlationid', 'req'];
export const TRACE_ID_KEYS = ['trace_id', 'traceid', 'trace', 'trace.id', 'dd.trace_id', 'traceparent'];

const LEVEL_WORDS: Record<string, Level> = {
  trace: 'trace', trc: 'trace', verbose: 'trace',
  debug: 'debug', dbg: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', inf: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', eror: 'error',
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal', dpanic: 'fatal'
};

/** A level from a field's value: a word (any case) or a pino/bunyan number (10 … 60). */
export function levelOf(v: string): Level | null {
  const w = LEVEL_WORDS[v.toLowerCase()];
  if (w) return w;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 10 && n <= 60) return LEVELS[Math.min(5, Math.floor(n / 10) - 1)];
  return null;
}

/** The last timestamp timeOf read, and what it gave: a flood's lines share theirs by the dozen
 * (the host stamps every line; Date.parse was a sixth of that). */
let lastTimeText = '';
let lastTime: number | null = null;

/** ms since the epoch from an ISO date or epoch seconds / ms / µs / ns; null when it is neither. */
export function timeOf(v: string): number | null {
  if (v === lastTimeText) return lastTime;
  lastTime = readTime(v);
  lastTimeText = v;
  return lastTime;
}

function readTime(v: string): number | null {
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (n > 1e17) return Math.floor(n / 1e6); // ns
    if (n > 1e14) return Math.floor(n / 1e3); // µs
    if (n > 1e11) return Math.floor(n); // ms
    if (n > 1e8) return Math.floor(n * 1000); // s
    return null;
  }
  if (!/^\d{4}-\d\d-\d\d/.test(v)) return null;
  const t = Date.parse(v.replace(',', '.'));
  return Number.isFinite(t) ? t : null;
}

function flatten(o: Record<string, unknown>, prefix: string, out: Record<string, string>, depth: number): void {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 3) flatten(v as Record<string, unknown>, key + '.', out, depth + 1);
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
}

/** `key=value key2="quoted \" value"` → fields; null when the line is not logfmt (fewer than 2 pairs). */
export function parseLogfmt(line: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  let pairs = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ') i++;
    const key = line.slice(keyStart, i);
    if (i >= n || line[i] !== '=') {
      if (key) out[key] = 'true'; // a bare key is a flag
      continue;
    }
    i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < n) i++;
        value += line[i++];
      }
      i++;
    } else {
      const start = i;
      while (i < n && line.charCodeAt(i) !== 32) i++;
      value = line.slice(start, i);
    }
    if (key) {
      out[key] = value;
      pairs++;
    }
  }
  return pairs >= 2 ? out : null;
}

function pick(fields: Record<string, string>, keys: readonly string[]): string | null {
  for (const k of keys) if (fields[k] !== undefined && fields[k] !== '') return fields[k];
  // keys in other cases (`requestId`, `Level`)
  for (const [k, v] of Object.entries(fields)) if (v !== '' && keys.includes(k.toLowerCase())) return v;
  return null;
}

const TEXT_TIME = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)/;
const TEXT_LEVEL = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|trace|debug|info|warn|warning|error|fatal)\b/;

/** The object of a JSON line, or null when the line is not one. */
function jsonObject(text: string): Record<string, unknown> | null {
  if (text.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null; // not JSON after all
  }
}

function flat(o: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  flatten(o, '', fields, 0);
  return fields;
}

/** A plain line's leading timestamp and level word. */
function textStamp(text: string): { time: number | null; level: Level | null } {
  const head = text.slice(0, 120);
  const tm = TEXT_TIME.exec(head);
  const lm = TEXT_LEVEL.exec(head);
  return { time: tm ? timeOf(tm[1]) : null, level: lm ? levelOf(lm[1]) : null };
}

/** Parses one (already redacted) line. */
export function parseLine(text: string): ParsedLine {
  const o = jsonObject(text);
  let fields: Record<string, string> | null = o && flat(o);
  let format: ParsedLine['format'] = fields ? 'json' : 'text';
  if (!fields && text.includes('=')) {
    fields = parseLogfmt(text);
    if (fields) format = 'logfmt';
  }
  if (!fields) return { format, ...textStamp(text), message: text, service: null, requestId: null, traceId: null, fields: {} };
  const t = pick(fields, TIME_KEYS);
  const l = pick(fields, LEVEL_KEYS);
  return {
    format,
    time: t === null ? null : timeOf(t),
    level: l === null ? null : levelOf(l),
    message: pick(fields, MESSAGE_KEYS) ?? '',
    service: pick(fields, SERVICE_KEYS),
    requestId: pick(fields, REQUEST_ID_KEYS),
    traceId: pick(fields, TRACE_ID_KEYS),
    fields
  };
}

/**
 * pick() on the JSON object itself, without flattening it: the first of `keys` the object holds
 * as a non-empty leaf is what pick() would find too, as long as no key with a dot came before it
 * in `keys` (those can be nested) — then undefined: flatten and pick.
 */
function pickTop(o: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    if (k.includes('.')) return undefined;
    if (!Object.hasOwn(o, k)) continue;
    const v = o[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) continue; // flattened: no leaf `k`
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (s !== '') return s;
  }
  return undefined;
}

/** parseLine(text)'s time and level alone: what the host stamps every line with, at a fraction
 * of the cost (a JSON line is not flattened when its time and level keys are plain). */
export function stampOf(text: string): { time: number | null; level: Level | null } {
  const o = jsonObject(text);
  let fields: Record<string, string> | null = null;
  let t: string | null | undefined;
  let l: string | null | undefined;
  if (o) {
    t = pickTop(o, TIME_KEYS);
    l = pickTop(o, LEVEL_KEYS);
    if (t === undefined || l === undefined) fields = flat(o);
  } else if (text.includes('=')) fields = parseLogfmt(text);
  else return textStamp(text);
  if (!fields && !o) return textStamp(text);
  if (fields) {
    t ??= pick(fields, TIME_KEYS);
    l ??= pick(fields, LEVEL_KEYS);
  }
  return { time: t == null ? null : timeOf(t), level: l == null ? null : levelOf(l) };
}

/** Does the parsed line hold `value` under `key`? `id` means any request or trace id; `service`,
 * `level` and `message` use the recognised field whatever its name in this line. */
export function fieldMatches(p: ParsedLine, key: string, value: string): boolean {
  switch (key) {
    case 'id':
      return p.requestId === value || p.traceId === value;
    case 'service':
      return p.service === value || p.fields[key] === value;
    case 'level':
      return p.level === levelOf(value);
    case 'request_id':
      return p.requestId === value || p.fields[key] === value;
    case 'trace_id':
      return p.traceId === value || p.fields[key] === value;
    default:
      return p.fields[key] === value;
  }
}
