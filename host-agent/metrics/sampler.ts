/**
 * Samples the box from /proc once an interval: CPU, memory, load, disk and network I/O, and the
 * busiest processes. Rates come from the difference of two readings, so the first reading only
 * primes the counters. Reads are synchronous and few (one small file per process), and each sample
 * says how much CPU it cost (`costUs`), so what watching costs is measured, not guessed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { MAX_PROC_NAME_CHARS, MAX_TOP, MAX_WINDOW, type Sample, type TopProcess } from '../../src/lib/protocol/metrics.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { redactText } from '../redact/redact.ts';
import { parseCpu, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parsePidStat, type CpuTimes } from './proc.ts';

export const DEFAULT_INTERVAL_MS = 1000;
/** Devices in /sys/block that are no disk of their own (memory, loops) or sit on top of other disks (would count twice). */
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|fd|nbd)/;
/** Samples between re-reading which disks exist (hot-plugged ones show up). */
const DISKS_EVERY = 60;

interface Reading {
  at: number;
  cpu: CpuTimes;
  disk: { read: number; written: number };
  net: { rx: number; tx: number };
  /** jiffies per pid */
  procs: Map<number, number>;
}

function wholeDisks(): Set<string> {
  try {
    return new Set(readdirSync('/sys/block').filter((d) => !NOT_A_DISK.test(d)));
  } catch {
    return new Set();
  }
}

function pageKb(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) / 1024 || 4;
  } catch {
    return 4;
  }
}

const rate = (now: number, before: number, seconds: number) => Math.max(0, (now - before) / seconds);

export class Sampler {
  readonly intervalMs: number;
  readonly cores = Math.max(1, cpus().length);
  /** each new sample, after it went into the window */
  readonly sampled = new Emitter<Sample>();
  #ring: Sample[] = [];
  #size: number;
  #last: Reading | null = null;
  #disks = wholeDisks();
  #pageKb = pageKb();
  #count = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(o: { intervalMs?: number; window?: number } = {}) {
    this.intervalMs = o.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#size = Math.min(o.window ?? MAX_WINDOW, MAX_WINDOW);
  }

  /** the recent samples, oldest first */
  get window(): Sample[] {
    return [...this.#ring];
  }

  /** Samples every interval from now on (the first sample comes after one interval). */
  start(): this {
    if (this.#timer) return this;
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.intervalMs);
    this.#timer.unref();
    return this;
  }

  /** Takes a reading now; returns the sample since the previous reading (null for the first). */
  sample(): Sample | null {
    const cpuBefore = process.cpuUsage();
    const reading = this.#read();
    const last = this.#last;
    this.#last = reading;
    if (!last) return null;
    const seconds = Math.max(0.001, (reading.at - last.at) / 1000);
    const dTotal = reading.cpu.total - last.cpu.total;
    const mem = parseMeminfo(readFileSync('/proc/meminfo', 'latin1'));
    const s: Sample = {
      t: Math.round(reading.at),
      cpu: dTotal > 0 ? Math.min(100, Math.max(0, ((reading.cpu.busy - last.cpu.busy) / dTotal) * 100)) : 0,
      memUsedKb: Math.max(0, mem.totalKb - mem.availableKb),
      memTotalKb: mem.totalKb,
      swapUsedKb: Math.max(0, mem.swapTotalKb - mem.swapFreeKb),
      load: parseLoadavg(readFileSync('/proc/loadavg', 'latin1')),
      diskReadBps: rate(reading.disk.read, last.disk.read, seconds),
      diskWriteBps: rate(reading.disk.written, last.disk.written, seconds),
      netRxBps: rate(reading.net.rx, last.net.rx, seconds),
      netTxBps: rate(reading.net.tx, last.net.tx, seconds),
      top: this.#top(last, reading, dTotal),
      costUs: 0
    };
    const used = process.cpuUsage(cpuBefore);
    s.costUs = used.user + used.system;
    this.#ring.push(s);
    if (this.#ring.length > this.#size) this.#ring.shift();
    this.sampled.fire(s);
    return s;
  }

  #read(): Reading {
    if (++this.#count % DISKS_EVERY === 0) this.#disks = wholeDisks();
    const procs = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      try {
        const st = parsePidStat(readFileSync(`/proc/${name}/stat`, 'latin1'));
        if (st) procs.set(Number(name), st.jiffies);
      } catch {
        // the process ended between the listing and the read
      }
    }
    return {
      at: Date.now(),
      cpu: parseCpu(readFileSync('/proc/stat', 'latin1')),
      disk: parseDiskstats(readFileSync('/proc/diskstats', 'latin1'), this.#disks),
      net: parseNetDev(readFileSync('/proc/net/dev', 'latin1')),
      procs
    };
  }

  /** The processes that used the most CPU between two readings, with their names and memory. */
  #top(last: Reading, now: Reading, dTotal: number): TopProcess[] {
    if (dTotal <= 0) return [];
    const used: [number, number][] = [];
    for (const [pid, j] of now.procs) {
      const d = j - (last.procs.get(pid) ?? j);
      if (d > 0) used.push([pid, d]);
    }
    used.sort((a, b) => b[1] - a[1]);
    const out: TopProcess[] = [];
    // jiffies of one core during the interval = all cores' jiffies / cores
    const perCore = dTotal / this.cores;
    for (const [pid, d] of used.slice(0, MAX_TOP)) {
      try {
        const st = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
        if (!st) continue;
        out.push({ pid, name: redactText(st.name).text.slice(0, MAX_PROC_NAME_CHARS), cpu: Math.round((d / perCore) * 1000) / 10, rssKb: st.rssPages * this.#pageKb });
      } catch {
        // it ended just now
      }
    }
    return out;
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sampled.dispose();
  }
}
