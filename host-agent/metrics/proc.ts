/**
 * Parsers for the Linux /proc files the metrics sampler reads (proc(5)): each takes the file's text
 * and returns counters; the sampler turns two readings into rates. Pure, so they are tested on
 * both real /proc and fixed text.
 */

/** Jiffies since boot, summed over all CPUs (`/proc/stat`'s first line). */
export interface CpuTimes {
  busy: number;
  total: number;
}

export function parseCpu(stat: string): CpuTimes {
  const line = stat.slice(0, stat.indexOf('\n'));
  if (!line.startsWith('cpu ')) throw new Error('/proc/stat does not start with the cpu line');
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + (b || 0), 0);
  return { busy: total - idle, total };
}

/** `/proc/meminfo`, in kB. */
export function parseMeminfo(text: string): { totalKb: number; availableKb: number; swapTotalKb: number; swapFreeKb: number } {
  const get = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const total = get('MemTotal');
  // MemAvailable exists since Linux 3.14; before that, free is the best guess
  return { totalKb: total, availableKb: /^MemAvailable:/m.test(text) ? get('MemAvailable') : get('MemFree'), swapTotalKb: get('SwapTotal'), swapFreeKb: get('SwapFree') };
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.split(/\s+/).map(Number);
  return [a || 0, b || 0, c || 0];
}

/** Bytes read and written since boot by the devices named in `disks` (`/proc/diskstats`). */
export function parseDiskstats(text: string, disks: ReadonlySet<string>): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // major minor name reads merged sectors-read ms writes merged sectors-written …; sectors are 512 bytes
    if (f.length < 10 || !disks.has(f[2])) continue;
    read += Number(f[5]) * 512;
    written += Number(f[9]) * 512;
  }
  return { read, written };
}

/** Bytes received and sent since boot by every interface but loopback (`/proc/net/dev`). */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    rx += Number(f[0]) || 0;
    tx += Number(f[8]) || 0;
  }
  return { rx, tx };
}

/** One process's `/proc/PID/stat`: its name, CPU time in jiffies and resident pages. */
export function parsePidStat(text: string): { name: string; jiffies: number; rssPages: number } | null {
  // the name sits in parentheses and may itself hold spaces and parentheses: cut at the last ')'
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).split(' ');
  // after the name: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(11) stime(12) … rss(21)
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { name: text.slice(open + 1, close), jiffies: utime + stime, rssPages: Number(f[21]) || 0 };
}
