/**
 * `--log FILE` (repeatable; a glob follows every file it matches, now and created later), `--log-cmd "CMD"`
 * (repeatable), `--log-docker NAME` (a container's logs, through `docker logs -f`, when docker is
 * installed), `--log-history MB` (the history kept per source) and `--log-rate N` (lines a second
 * one participant gets at most) for `live-sessions host`.
 */
import { execFileSync } from 'node:child_process';
import { globSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_SPEC_CHARS } from '../src/lib/protocol/logs.ts';
import { UsageError } from './args.ts';

export const LOG_FLAGS = { log: 'strings', 'log-cmd': 'strings', 'log-docker': 'strings', 'log-history': 'string', 'log-rate': 'string' } as const;

function dockerPresent(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Client.Version}}'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

function positive(v: string | undefined, flag: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`${flag} must be a number from 1 to ${max}, not ${JSON.stringify(v)}`);
  return Number(v);
}

export function logOptions(f: { log?: string[]; 'log-cmd'?: string[]; 'log-docker'?: string[]; 'log-history'?: string; 'log-rate'?: string }, cwd: string) {
  const files: string[] = [];
  const globs: string[] = [];
  for (const pattern of f.log ?? []) {
    if (/[*?[{]/.test(pattern)) {
      // one that matches nothing is most likely a typo: said now rather than waited on silently
      const found = globSync(pattern, { cwd }).map((p) => resolve(cwd, p)).filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
      if (found.length === 0) throw new UsageError(`--log ${JSON.stringify(pattern)} matches no file`);
      globs.push(pattern);
    } else files.push(resolve(cwd, pattern)); // a file that does not exist yet is waited for
  }
  const commands = [...(f['log-cmd'] ?? [])];
  for (const spec of [...files, ...globs, ...commands]) {
    if (spec.length > MAX_SPEC_CHARS) throw new UsageError(`a log source is at most ${MAX_SPEC_CHARS} characters: ${JSON.stringify(spec.slice(0, 60))}…`);
  }
  if (f['log-docker']?.length) {
    if (!dockerPresent()) throw new UsageError('--log-docker needs docker, and it is not installed here (or its daemon is not reachable); use --log-cmd with another command instead');
    for (const name of f['log-docker']) commands.push(`docker logs -f --tail 1000 ${JSON.stringify(name)}`);
  }
  const mb = positive(f['log-history'], '--log-history', 4096);
  return { files: [...new Set(files)], globs: [...new Set(globs)], commands, historyBytes: mb === undefined ? undefined : mb * 1024 * 1024, ratePerS: positive(f['log-rate'], '--log-rate', 1_000_000) };
}
