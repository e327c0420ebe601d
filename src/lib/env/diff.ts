/**
 * What changed between two snapshots ("what changed since we started?"): variables added, removed
 * and changed; processes started and ended; ports opened and closed; files dirtied and cleaned;
 * memory and disks that moved; runtimes and probes whose outcome changed. Pure, so the page
 * computes it for any two snapshots it holds.
 */
import type { EnvVar, GitFile, Port, Proc, ProbeResult, Sections, Snapshot, SnapshotInfo } from '../protocol/env.ts';

export interface Moved {
  before: number;
  after: number;
}

export interface SnapshotDiff {
  from: SnapshotInfo;
  to: SnapshotInfo;
  env: { added: EnvVar[]; removed: EnvVar[]; changed: { name: string; before: string; after: string }[] };
  processes: { started: Proc[]; ended: Proc[] };
  ports: { opened: Port[]; closed: Port[] };
  files: { dirtied: GitFile[]; cleaned: GitFile[] };
  git: { head?: { before: string; after: string }; branch?: { before: string; after: string } };
  /** available memory, kB */
  memory: Moved | null;
  /** used space per mount, kB, for the mounts that moved */
  disks: ({ mount: string } & Moved)[];
  runtimes: { name: string; before: string | null; after: string | null }[];
  /** probes whose status changed (a tool that appeared, a probe that timed out) */
  probes: { section: string; before: string; after: string }[];
}

/** Variables every shell sets for itself (nesting depth, last command): noise in a diff. */
const SHELL_OWN = new Set(['_', 'SHLVL', 'OLDPWD']);

function data<T>(r: ProbeResult<T> | undefined): T | null {
  return r?.status === 'ok' ? r.data : null;
}

/** Items of `b` whose key is not in `a`, and of `a` not in `b`. */
function setDiff<T>(a: T[], b: T[], key: (x: T) => string): { added: T[]; removed: T[] } {
  const ka = new Set(a.map(key));
  const kb = new Set(b.map(key));
  return { added: b.filter((x) => !ka.has(key(x))), removed: a.filter((x) => !kb.has(key(x))) };
}

const procKey = (p: Proc) => `${p.pid} ${p.cmd}`;
const portKey = (p: Port) => `${p.proto} ${p.address} ${p.port}`;

export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  const A = a.sections;
  const B = b.sections;
  const envA = data(A.env) ?? [];
  const envB = data(B.env) ?? [];
  const vars = setDiff(envA, envB, (v) => v.name);
  vars.added = vars.added.filter((v) => !SHELL_OWN.has(v.name));
  vars.removed = vars.removed.filter((v) => !SHELL_OWN.has(v.name));
  const before = new Map(envA.map((v) => [v.name, v.value]));
  const changed = envB.filter((v) => !SHELL_OWN.has(v.name) && before.has(v.name) && before.get(v.name) !== v.value).map((v) => ({ name: v.name, before: before.get(v.name) as string, after: v.value }));

  // Only the busiest processes are listed: one that merely got busier (or quieter) is not one
  // that started (or ended). The full pid lists tell them apart.
  const procA = data(A.processes);
  const procB = data(B.processes);
  const listed = setDiff(procA?.top ?? [], procB?.top ?? [], procKey);
  const pidsA = new Set(procA?.pids ?? []);
  const pidsB = new Set(procB?.pids ?? []);
  const procs = {
    added: listed.added.filter((p) => !pidsA.has(p.pid) || !procA?.pids),
    removed: listed.removed.filter((p) => !pidsB.has(p.pid) || !procB?.pids)
  };
  const ports = setDiff(data(A.ports) ?? [], data(B.ports) ?? [], portKey);
  const gitA = data(A.git);
  const gitB = data(B.git);
  const files = setDiff(gitA?.dirty ?? [], gitB?.dirty ?? [], (f) => `${f.status} ${f.path}`);
  const git: SnapshotDiff['git'] = {};
  if (gitA && gitB && gitA.head !== gitB.head) git.head = { before: gitA.head, after: gitB.head };
  if (gitA && gitB && gitA.branch !== gitB.branch) git.branch = { before: gitA.branch, after: gitB.branch };

  const memA = data(A.memory);
  const memB = data(B.memory);
  const usedA = new Map((data(A.disks) ?? []).map((d) => [d.mount, d.usedKb]));
  const disks = (data(B.disks) ?? []).filter((d) => usedA.has(d.mount) && usedA.get(d.mount) !== d.usedKb).map((d) => ({ mount: d.mount, before: usedA.get(d.mount) as number, after: d.usedKb }));

  const rtA = new Map((data(A.runtimes) ?? []).map((r) => [r.name, r.version]));
  const rtB = new Map((data(B.runtimes) ?? []).map((r) => [r.name, r.version]));
  const runtimes = [...new Set([...rtA.keys(), ...rtB.keys()])].filter((n) => rtA.get(n) !== rtB.get(n)).map((name) => ({ name, before: rtA.get(name) ?? null, after: rtB.get(name) ?? null }));

  const probes = (Object.keys(B) as (keyof Sections)[]).filter((k) => A[k]?.status !== B[k].status).map((k) => ({ section: k, before: A[k]?.status ?? 'missing', after: B[k].status }));

  return {
    from: a.info,
    to: b.info,
    env: { added: vars.added, removed: vars.removed, changed },
    processes: { started: procs.added, ended: procs.removed },
    ports: { opened: ports.added, closed: ports.removed },
    // a file whose status changed (modified → staged) counts as dirtied again, not as cleaned
    files: { dirtied: files.added, cleaned: files.removed.filter((f) => !(gitB?.dirty ?? []).some((g) => g.path === f.path)) },
    git,
    memory: memA && memB && memA.availableKb !== memB.availableKb ? { before: memA.availableKb, after: memB.availableKb } : null,
    disks,
    runtimes,
    probes
  };
}

/** True when nothing at all changed. */
export function isEmptyDiff(d: SnapshotDiff): boolean {
  return (
    !d.env.added.length && !d.env.removed.length && !d.env.changed.length && !d.processes.started.length && !d.processes.ended.length &&
    !d.ports.opened.length && !d.ports.closed.length && !d.files.dirtied.length && !d.files.cleaned.length && !d.git.head && !d.git.branch &&
    !d.memory && !d.disks.length && !d.runtimes.length && !d.probes.length
  );
}
