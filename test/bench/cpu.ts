// CPU time spent, as opposed to wall time: on a shared machine the wall time of a burst depends
// on everyone else's load, the CPU seconds our programs burn for it much less. Host: its process's
// user + system time (/proc/PID/stat); pages: Chromium's renderers (CDP SystemInfo.getProcessInfo).
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, CDPSession } from 'playwright-core';

/** CLK_TCK on Linux. */
const TICKS_PER_S = 100;

/** User + system CPU of process `pid` so far, ms (NaN when it is gone). */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "(comm)": state(0) … utime(11) stime(12)
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** User + system CPU of each thread of `pid` so far, ms, by thread name (same names summed). */
export function threadCpuMs(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

/** Sum of every renderer's CPU time so far, ms. */
export class RendererCpu {
  #cdp: CDPSession;
  private constructor(cdp: CDPSession) {
    this.#cdp = cdp;
  }
  static async open(browser: Browser): Promise<RendererCpu> {
    return new RendererCpu(await browser.newBrowserCDPSession());
  }
  async ms(): Promise<number> {
    const { processInfo } = (await this.#cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime * 1000, 0);
  }
}
