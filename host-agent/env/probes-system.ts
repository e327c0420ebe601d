/**
 * Probes of the box itself, mostly from /proc and /etc (no child process): system, environment
 * variables, limits, memory, DNS; and `df` and `ip` for disks and the network.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Disk, Dns, EnvVar, Iface, Limit, Memory, Network, Redaction, SystemInfo } from '../../src/lib/protocol/env.ts';
import { redactVariable } from '../redact/redact.ts';
import { Absent, bounded, clip, run, type Probed } from './run.ts';

/** Whose view a snapshot takes: the agent's own, or a shell's (a checkpoint typed in that shell). */
export interface ProbeContext {
  cwd: string;
  env: Record<string, string | undefined>;
  /** the process whose limits are read */
  pid: number;
  timeoutMs: number;
  /** every redaction a probe made is reported here */
  redacted: (r: Redaction) => void;
}

export const MAX_VARS = 300;
export const MAX_VALUE_CHARS = 2000;

async function osRelease(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

export async function system(ctx: ProbeContext): Promise<Probed<SystemInfo>> {
  const u = os.userInfo();
  return {
    data: {
      os: await osRelease(),
      kernel: `${os.type()} ${os.release()} ${os.version()}`,
      arch: os.arch(),
      hostname: os.hostname(),
      user: ctx.env.USER ?? u.username,
      uid: u.uid,
      uptimeS: Math.round(os.uptime()),
      loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
      cwd: ctx.cwd,
      cpus: os.availableParallelism()
    }
  };
}

export async function env(ctx: ProbeContext): Promise<Probed<EnvVar[]>> {
  const vars: EnvVar[] = [];
  for (const name of Object.keys(ctx.env).sort()) {
    const raw = ctx.env[name];
    if (raw === undefined) continue;
    const r = redactVariable(name, raw);
    if (r.kinds.length) ctx.redacted({ where: 'env', name, kinds: r.kinds });
    vars.push(r.kinds.length ? { name, value: clip(r.text, MAX_VALUE_CHARS), redacted: r.kinds } : { name, value: clip(r.text, MAX_VALUE_CHARS) });
  }
  const clipped = vars.some((v) => v.value.includes('more chars]'));
  const b = bounded(vars, MAX_VARS, 'variables');
  return { data: b.data, truncated: [b.truncated, clipped && `values over ${MAX_VALUE_CHARS} chars cut`].filter(Boolean).join('; ') || undefined };
}

/** /proc/PID/limits, the `ulimit -a` of that process. */
export async function limits(ctx: ProbeContext): Promise<Probed<Limit[]>> {
  let text: string;
  try {
    text = await readFile(`/proc/${ctx.pid}/limits`, 'utf8');
  } catch {
    throw new Absent('/proc/PID/limits is not readable here');
  }
  const out: Limit[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)\s*(\S*)\s*$/.exec(line);
    if (m) out.push({ name: m[1], soft: m[2], hard: m[3], unit: m[4] });
  }
  return { data: out };
}

export async function memory(): Promise<Probed<Memory>> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { data: { totalKb: kb('MemTotal'), availableKb: kb('MemAvailable'), swapTotalKb: kb('SwapTotal'), swapFreeKb: kb('SwapFree') } };
}

/** Real filesystems only: pseudo ones (proc, sysfs, overlay layers of every container) are noise. */
const PSEUDO_FS = /^(proc|sysfs|devpts|cgroup2?|mqueue|securityfs|debugfs|tracefs|configfs|fusectl|pstore|bpf|binfmt_misc|autofs|hugetlbfs|nsfs|none|shm|udev|devtmpfs)$/;

export async function disks(ctx: ProbeContext): Promise<Probed<Disk[]>> {
  const out = await run('df', ['-kP'], { timeoutMs: ctx.timeoutMs });
  const rows: Disk[] = [];
  for (const line of out.trim().split('\n').slice(1)) {
    const f = line.split(/\s+/);
    if (f.length < 6 || PSEUDO_FS.test(f[0])) continue;
    rows.push({ fs: f[0], sizeKb: Number(f[1]), usedKb: Number(f[2]), availKb: Number(f[3]), mount: f.slice(5).join(' ') });
  }
  return bounded(rows, 50, 'filesystems');
}

export async function network(ctx: ProbeContext): Promise<Probed<Network>> {
  const [addrs, routes] = await Promise.all([run('ip', ['-j', 'addr'], { timeoutMs: ctx.timeoutMs }), run('ip', ['route'], { timeoutMs: ctx.timeoutMs })]);
  const list = JSON.parse(addrs) as { ifname: string; operstate: string; addr_info?: { local: string; prefixlen: number }[] }[];
  const interfaces: Iface[] = list.map((i) => ({ name: i.ifname, state: i.operstate, addrs: (i.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`) }));
  const b = bounded(interfaces, 64, 'interfaces');
  return { data: { interfaces: b.data, routes: routes.trim().split('\n').filter(Boolean).slice(0, 100) }, truncated: b.truncated };
}

export async function dns(): Promise<Probed<Dns>> {
  let text: string;
  try {
    text = await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    throw new Absent('no /etc/resolv.conf');
  }
  const nameservers: string[] = [];
  const search: string[] = [];
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) nameservers.push(v[0]);
    if (k === 'search' || k === 'domain') search.push(...v);
  }
  return { data: { nameservers, search } };
}
