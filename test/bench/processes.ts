// Process-level tools for the throughput bench: freezing a whole Chromium (a stalled peer) and
// sampling a process's memory.
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';

/** Parent pid of every process we can see. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      out.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function children(of: number): number[] {
  return [...parents()].filter(([, ppid]) => ppid === of).map(([pid]) => pid);
}

function descendants(root: number): number[] {
  const all = parents();
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of all) if (ppid === out[i]) out.push(pid);
  return out;
}

/**
 * A Chromium of its own that can be frozen whole: SIGSTOP on every one of its processes stops its
 * renderer and network threads too, so its peer connection stops acknowledging data — what a
 * suspended laptop or a hung machine does. (Blocking the page's JavaScript is not enough: Chromium
 * keeps receiving and queues the messages for the page, so the sender never sees backpressure.)
 */
export class FreezableBrowser {
  readonly browser: Browser;
  readonly root: number;
  #frozen: number[] = [];

  private constructor(browser: Browser, root: number) {
    this.browser = browser;
    this.root = root;
  }

  static async launch(): Promise<FreezableBrowser> {
    const before = new Set(children(process.pid));
    const browser = await launchBrowser();
    const mine = children(process.pid).filter((pid) => !before.has(pid));
    if (mine.length !== 1) {
      await browser.close();
      throw new Error(`expected one new Chromium child process, found ${mine.length}`);
    }
    return new FreezableBrowser(browser, mine[0]);
  }

  freeze(): number {
    this.#frozen = descendants(this.root);
    for (const pid of this.#frozen) signal(pid, 'SIGSTOP');
    return this.#frozen.length;
  }

  thaw(): void {
    for (const pid of this.#frozen) signal(pid, 'SIGCONT');
    this.#frozen = [];
  }

  async close(): Promise<void> {
    this.thaw();
    await this.browser.close();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

/** VmRSS of `pid`, MB. */
export function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/** Samples `pid`'s RSS every RSS_SAMPLE_MS until stopped. */
export const RSS_SAMPLE_MS = 250;
export class RssSampler {
  readonly samples: number[] = [];
  #timer: NodeJS.Timeout;

  constructor(pid: number) {
    const sample = () => {
      try {
        this.samples.push(rssMb(pid));
      } catch {
        // the process is gone: keep what we have
      }
    };
    sample();
    this.#timer = setInterval(sample, RSS_SAMPLE_MS);
  }

  stop(): { start: number; max: number; end: number; n: number } {
    clearInterval(this.#timer);
    const s = this.samples;
    return { start: s[0], max: Math.max(...s), end: s[s.length - 1], n: s.length };
  }
}

/** CPU time (user + system, own + reaped children) of each tree under `roots`, in clock ticks. */
function treeTicks(roots: number[]): Map<number, number> {
  const all = parents();
  const out = new Map<number, number>();
  for (const root of roots) {
    let ticks = 0;
    const tree = [root];
    // this process's own time only: the trees it started are measured on their own
    if (root !== process.pid) for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of all) if (ppid === tree[i]) tree.push(pid);
    for (const pid of tree) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // fields 14–17 of stat (utime stime cutime cstime) are 11–14 here, counting from state
        ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      } catch {
        // exited meanwhile: its time moves to its parent's cutime once reaped
      }
    }
    out.set(root, ticks);
  }
  return out;
}

/** Linux clock ticks per second (USER_HZ). */
const TICKS_PER_S = 100;

/**
 * CPU use of this process and of each tree of processes it started, between start and `stop()`,
 * in % of one core: where the time goes during a transfer on a 2-core machine.
 */
export class CpuMeter {
  #roots: Map<number, string>;
  #t0 = performance.now();
  #start: Map<number, number>;

  /** `labels`: pid of a direct child → its name; other children are summed as "other" */
  constructor(labels: Map<number, string>) {
    this.#roots = new Map([[process.pid, 'bench (this Node)'], ...labels]);
    this.#start = treeTicks([...this.#roots.keys()]);
  }

  stop(): string {
    const end = treeTicks([...this.#roots.keys()]);
    const s = (performance.now() - this.#t0) / 1000;
    const parts = [...this.#roots].map(([pid, name]) => {
      const ticks = (end.get(pid) ?? 0) - (this.#start.get(pid) ?? 0);
      return `${name} ${Math.round((ticks / TICKS_PER_S / s) * 100)}%`;
    });
    return `${parts.join(', ')} of one core over ${s.toFixed(1)} s`;
  }
}

/** CpuMeter labels: every direct child of this process, named by `names` or "Chromium". */
export function childLabels(names: Map<number, string>): Map<number, string> {
  return new Map(children(process.pid).map((pid) => [pid, names.get(pid) ?? 'Chromium']));
}
