/**
 * The flag parser of the `live-sessions` commands: node:util's parseArgs (strict: unknown flags,
 * missing values and stray arguments are errors), with one-line messages that name the flag, an
 * environment variable for every flag (`--trust-proxy` ← LIVE_SESSIONS_TRUST_PROXY; the flag
 * wins), and `-h, --help` and `-V, --version` on every command.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** `strings`: a flag that may be given more than once; its values in order. */
export type FlagSpec = Record<string, 'string' | 'strings' | 'boolean'>;

type Parsed<S extends FlagSpec> = { [K in keyof S]?: S[K] extends 'boolean' ? boolean : S[K] extends 'strings' ? string[] : string } & { help?: boolean; version?: boolean };

/** The environment variable that stands for `--name`. */
export function envName(flag: string): string {
  return `LIVE_SESSIONS_${flag.toUpperCase().replace(/-/g, '_')}`;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** parseArgs' own messages are paragraphs; ours are one line naming the flag. */
function oneLine(e: NodeJS.ErrnoException): UsageError {
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option "${flag}"`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ? JSON.stringify(/'([^']*)'/.exec(e.message)![1]) : ''}`.trim());
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(e.message)) return new UsageError(`${flag} takes no value`);
      // a value that starts with "-" reads as another option: parseArgs takes it as --flag=VALUE
      if (/ambiguous/.test(e.message)) return new UsageError(`${flag} needs a value (one that starts with "-" goes as ${flag}=VALUE)`);
      return new UsageError(`${flag} needs a value`);
    default:
      return new UsageError(e.message.split('\n')[0]);
  }
}

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S, env: NodeJS.ProcessEnv = process.env): Parsed<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' }
  };
  for (const [name, type] of Object.entries(spec)) if (name !== 'help') options[name] = { type: type === 'boolean' ? 'boolean' : 'string', multiple: type === 'strings' };
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw oneLine(e as NodeJS.ErrnoException);
  }
  const out: Record<string, string | string[] | boolean> = {};
  for (const [name, type] of Object.entries(spec)) {
    const v = values[name];
    if (v !== undefined) {
      if ((typeof v === 'string' && v === '') || (Array.isArray(v) && v.includes(''))) throw new UsageError(`--${name} needs a value`);
      out[name] = v as string | string[] | boolean;
      continue;
    }
    const fromEnv = name === 'help' ? undefined : env[envName(name)];
    if (fromEnv === undefined) continue;
    if (type === 'boolean') {
      const b = fromEnv.trim().toLowerCase();
      if (!TRUE.has(b) && !FALSE.has(b)) throw new UsageError(`${envName(name)} must be 1 or 0 (true or false), not ${JSON.stringify(fromEnv)}`);
      out[name] = TRUE.has(b);
    } else if (fromEnv === '') continue;
    else out[name] = type === 'strings' ? fromEnv.split('\n').filter(Boolean) : fromEnv;
  }
  if (values.help) out.help = true;
  if (values.version) out.version = true;
  return out as never;
}

export function parsePort(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** A whole number from `min` up for `--flag`, or `fallback` when not given. */
export function parseCount(v: string | undefined, flag: string, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} must be a whole number from ${min} up, not ${JSON.stringify(v)}`);
  return Number(v);
}

export function parseHttpUrl(v: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`${flag} must be a URL like http://127.0.0.1:8787, not ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${flag} must be an http:// or https:// URL`);
  return u.origin;
}

/** `live-sessions X.Y.Z`, from package.json. */
export function versionLine(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `live-sessions ${version}`;
}

/**
 * One command's part of the overall help (usage.ts): its `live-sessions CMD` lines and the
 * indented lines under them, so each command's --help stays in step with the overall text.
 */
export function commandHelp(usage: string, cmd: string): string {
  const lines = usage.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith(`live-sessions ${cmd} `) || l.trim() === `live-sessions ${cmd}`);
  if (start < 0) return usage;
  const own: string[] = [];
  for (const l of lines.slice(start)) {
    if (own.length && (/^ {0,2}\S/.test(l) || l.trim() === '')) break;
    own.push(l);
  }
  const envNote = `Every flag can also be set in the environment: --flag-name as ${envName('flag-name')} (the flag wins).`;
  return `Usage:\n${own.join('\n')}\n\n${envNote}\n  -h, --help     this help\n  -V, --version  the version\n`;
}
