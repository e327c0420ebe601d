/**
 * One snapshot of the box: every probe at once, each with its own deadline, secrets redacted as
 * each probe reads its values (so an unredacted value never sits in a snapshot).
 */
import type { Redaction, Sections, Snapshot, SnapshotInfo } from '../../src/lib/protocol/env.ts';
import { probe } from './run.ts';
import { disks, dns, env, limits, memory, network, system, type ProbeContext } from './probes-system.ts';
import { ports, processes } from './probes-procs.ts';
import { containers, git, kubernetes, runtimes, systemd } from './probes-tools.ts';

/** Each probe's deadline, ms: a snapshot takes at most about this long. */
export const PROBE_TIMEOUT_MS = 3000;

export interface SnapshotView {
  cwd: string;
  env: Record<string, string | undefined>;
  /** the process whose limits are read (a shell's, for a checkpoint typed in it) */
  pid: number;
  timeoutMs?: number;
}

export async function takeSnapshot(view: SnapshotView, info: SnapshotInfo): Promise<Snapshot> {
  const started = performance.now();
  const redactions: Redaction[] = [];
  const timeoutMs = view.timeoutMs ?? PROBE_TIMEOUT_MS;
  const ctx: ProbeContext = { cwd: view.cwd, env: view.env, pid: view.pid, timeoutMs, redacted: (r) => redactions.push(r) };
  const p = <T>(fn: (c: ProbeContext) => Promise<{ data: T; truncated?: string }>) => probe(() => fn(ctx), timeoutMs);
  const [sys, vars, lim, procs, listening, mem, df, net, resolv, ctrs, kube, units, repo, rts] = await Promise.all([
    p(system),
    p(env),
    p(limits),
    p(processes),
    p(ports),
    p(memory),
    p(disks),
    p(network),
    p(dns),
    p(containers),
    p(kubernetes),
    p(systemd),
    p(git),
    p(runtimes)
  ]);
  const sections: Sections = {
    system: sys,
    env: vars,
    limits: lim,
    processes: procs,
    ports: listening,
    memory: mem,
    disks: df,
    network: net,
    dns: resolv,
    containers: ctrs,
    kubernetes: kube,
    systemd: units,
    git: repo,
    runtimes: rts
  };
  return { info, tookMs: Math.round(performance.now() - started), sections, redactions };
}
