/**
 * A small, strict flag parser for the `live-sessions` commands (signal, host, start): unknown
 * flags and missing values are errors, not surprises. `-h` is `--help`.
 */
export class UsageError extends Error {}

/** `strings`: a flag that may be given more than once; its values in order. */
export type FlagSpec = Record<string, 'string' | 'strings' | 'boolean'>;

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S): { [K in keyof S]?: S[K] extends 'boolean' ? boolean : S[K] extends 'strings' ? string[] : string } {
  const out: Record<string, string | string[] | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] === '-h' ? '--help' : argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !(m[1] in spec)) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    const [, name, inline] = m;
    if (spec[name] === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (!value || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (spec[name] === 'strings') out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    else out[name] = value;
  }
  return out as never;
}

export function parsePort(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${JSON.stringify(v)}`);
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
