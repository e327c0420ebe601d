/**
 * Probes that depend on tools the box may not have: containers (docker, podman), Kubernetes
 * context, failed systemd units, git state of the working directory, runtime versions. Each one's
 * absence is normal and reported as such.
 */
import { stat } from 'node:fs/promises';
import type { Container, FailedUnit, GitState, Kube, Runtime } from '../../src/lib/protocol/env.ts';
import { redactText } from '../redact/redact.ts';
import { Absent, bounded, clip, run, which, type Probed } from './run.ts';
import type { ProbeContext } from './probes-system.ts';

/** Daemon not running, no permission: the tool is there but has nothing to say. */
const NO_DAEMON = /Cannot connect|permission denied|Is the docker daemon running|connection refused|no such file/i;

async function containersOf(engine: string, ctx: ProbeContext): Promise<Container[]> {
  const out = await run(engine, ['ps', '--format', '{{.ID}}\t{{.Image}}\t{{.Names}}\t{{.Status}}'], { timeoutMs: ctx.timeoutMs, absentIf: NO_DAEMON });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, image, name, status] = l.split('\t');
      return { engine, id, image: redactText(image ?? '').text, name: name ?? '', status: status ?? '' };
    });
}

export async function containers(ctx: ProbeContext): Promise<Probed<Container[]>> {
  const found = await Promise.allSettled([containersOf('docker', ctx), containersOf('podman', ctx)]);
  const ok = found.filter((f): f is PromiseFulfilledResult<Container[]> => f.status === 'fulfilled');
  if (ok.length === 0) {
    const reasons = found.map((f) => (f as PromiseRejectedResult).reason);
    const failure = reasons.find((r) => !(r instanceof Absent));
    if (failure) throw failure;
    throw new Absent(reasons.map((r: Error) => r.message).join('; '));
  }
  return bounded(
    ok.flatMap((f) => f.value),
    50,
    'containers'
  );
}

export async function kubernetes(ctx: ProbeContext): Promise<Probed<Kube>> {
  const env = { ...process.env, ...definedEnv(ctx) };
  const out = await run('kubectl', ['config', 'view', '--minify', '-o', 'jsonpath={.current-context}|{..namespace}'], {
    timeoutMs: ctx.timeoutMs,
    env,
    absentIf: /current-context|no configuration|not found/i
  });
  const [context, ns] = out.trim().split('|');
  if (!context) throw new Absent('kubectl has no current context');
  return { data: { context, namespace: ns?.split(' ')[0] || 'default' } };
}

export async function systemd(ctx: ProbeContext): Promise<Probed<FailedUnit[]>> {
  const out = await run('systemctl', ['--failed', '--no-legend', '--plain', '--no-pager'], { timeoutMs: ctx.timeoutMs, absentIf: /not been booted with systemd|Failed to connect to bus/i });
  const units = out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return { unit: f[0], description: f.slice(4).join(' ') };
    });
  return bounded(units, 50, 'failed units');
}

export const MAX_DIRTY_FILES = 200;

export async function git(ctx: ProbeContext): Promise<Probed<GitState>> {
  const o = { timeoutMs: ctx.timeoutMs, cwd: ctx.cwd, absentIf: /not a git repository/i };
  const root = (await run('git', ['rev-parse', '--show-toplevel'], o)).trim();
  const [branch, head, status, stat] = await Promise.all([
    run('git', ['branch', '--show-current'], o).then((b) => b.trim() || '(detached)'),
    run('git', ['rev-parse', 'HEAD'], o).catch(() => ''),
    run('git', ['status', '--porcelain=v1', '--untracked-files=all'], o),
    run('git', ['diff', '--stat', 'HEAD'], o).catch(() => '')
  ]);
  const files = status
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ status: l.slice(0, 2), path: l.slice(3) }));
  const b = bounded(files, MAX_DIRTY_FILES, 'dirty files');
  return { data: { root, branch: branch.trim(), head: head.trim(), dirty: b.data, diffStat: clip(stat.trim(), 4000) }, truncated: b.truncated };
}

/** Version commands of the runtimes worth knowing about; the first line that has a version wins. */
const RUNTIMES: [string, string, string[]][] = [
  ['node', 'node', ['--version']],
  ['python', 'python3', ['--version']],
  ['go', 'go', ['version']],
  ['java', 'java', ['-version']],
  ['ruby', 'ruby', ['--version']],
  ['rust', 'rustc', ['--version']],
  ['dotnet', 'dotnet', ['--version']],
  ['php', 'php', ['--version']],
  ['deno', 'deno', ['--version']],
  ['bun', 'bun', ['--version']]
];

export async function runtimes(ctx: ProbeContext): Promise<Probed<Runtime[]>> {
  // the shell's PATH: a checkpoint from a shell with a virtualenv or nvm on it sees its versions
  const env = { ...process.env, ...definedEnv(ctx) };
  const found = await Promise.all(
    RUNTIMES.map(async ([name, cmd, args]) => {
      const path = await which(cmd, env.PATH);
      if (!path) return null;
      // `java -version` prints on stderr: read both
      const version = await versionOf(path, args, ctx.timeoutMs, env);
      return version ? { name, version } : null;
    })
  );
  return { data: found.filter((r): r is Runtime => r !== null) };
}

/**
 * Versions by binary and its modification time: a JVM takes a third of a second just to say its
 * version, and the binaries rarely change between two checkpoints.
 */
const versions = new Map<string, string | null>();

async function versionOf(path: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<string | null> {
  const key = `${path} ${(await stat(path).catch(() => null))?.mtimeMs ?? 0}`;
  const known = versions.get(key);
  if (known !== undefined) return known;
  const out = await run(path, args, { timeoutMs, env, stderr: true }).catch(() => null);
  const line = out?.split('\n').find((l) => /\d+\.\d+/.test(l));
  const version = line ? clip(line.trim(), 120) : null;
  if (out !== null) versions.set(key, version);
  return version;
}

function definedEnv(ctx: ProbeContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) out[k] = v;
  return out;
}
