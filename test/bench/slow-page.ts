// A page on a slow machine, without Chromium's own CPU throttling: that one (CDP
// Emulation.setCPUThrottlingRate) burns ~0.8 of a core while it is on, even with the page idle
// (measured: 3 idle pages 40 ms of CPU a second, 800 ms with one of them throttled), which on a
// 2-core VM takes the CPU the host and the other pages need and decided the final-screen figure.
// Instead the page's renderer process goes into a cgroup whose CPU quota is 1/rate of one core
// (cgroup v1 `cpu` or v2 `cpu.max`, as root). Where no cgroup can be made, CDP throttling is used
// and said so.
import { mkdirSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { Peer } from './product.ts';

const PERIOD_US = 100_000;

async function rendererPids(browser: Browser): Promise<Set<number>> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    return new Set(processInfo.filter((p) => p.type === 'renderer').map((p) => p.id));
  } finally {
    await cdp.detach();
  }
}

/** Opens a peer (with `open`) whose page gets 1/rate of one core; `how` says which way. */
export async function openSlowPeer(browser: Browser, open: () => Promise<Peer>, rate: number): Promise<{ peer: Peer; how: string; dispose: () => void }> {
  const before = await rendererPids(browser);
  const peer = await open();
  const pids = [...(await rendererPids(browser))].filter((p) => !before.has(p));
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  const name = `live-sessions-bench-slow-${process.pid}-${Date.now()}`;
  try {
    if (pids.length === 0) throw new Error('its renderer process was not found');
    let root: string;
    if (existsSync(`${v1}/cpu.cfs_quota_us`)) {
      root = v1;
      mkdirSync(`${root}/${name}`);
      writeFileSync(`${root}/${name}/cpu.cfs_period_us`, String(PERIOD_US));
      writeFileSync(`${root}/${name}/cpu.cfs_quota_us`, String(Math.round(PERIOD_US / rate)));
    } else if (existsSync(`${v2}/cgroup.subtree_control`)) {
      root = v2;
      mkdirSync(`${root}/${name}`);
      writeFileSync(`${root}/${name}/cpu.max`, `${Math.round(PERIOD_US / rate)} ${PERIOD_US}`);
    } else {
      throw new Error('no cgroup cpu controller');
    }
    for (const pid of pids) writeFileSync(`${root}/${name}/cgroup.procs`, String(pid));
    const dispose = () => {
      for (const pid of pids) {
        try {
          writeFileSync(`${root}/cgroup.procs`, String(pid));
        } catch {
          // exited
        }
      }
      try {
        rmdirSync(`${root}/${name}`);
      } catch {
        // still busy: the kernel removes nothing by itself, but an empty group costs nothing
      }
    };
    return { peer, how: `cgroup cpu quota 1/${rate} core (renderer pid ${pids.join(', ')})`, dispose };
  } catch (err) {
    const cdp = await peer.context.newCDPSession(peer.page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    return { peer, how: `Chromium CPU throttling ${rate}x (no cgroup: ${(err as Error).message}; it burns CPU itself)`, dispose: () => {} };
  }
}
