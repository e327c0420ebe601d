import { afterEach, describe, expect, it } from 'vitest';
import { BehindPage, FLOOD_BYTES, OutputMeter, PAGE_FRAME_MS, PAGE_IDLE_SNAPSHOT_MS, PAGE_LOW_WATER_BYTES, type BehindPageHost } from './page-catch-up.ts';
import { waitFor } from './testing.ts';

const pages: BehindPage[] = [];
afterEach(() => {
  for (const p of pages.splice(0)) p.dispose();
});

/** A hub stand-in that records what the page was sent. */
function page(opts: { paused?: () => boolean; frameNow?: boolean; backlog?: number } = {}) {
  const calls: string[] = [];
  let out = 0;
  const host: BehindPageHost = {
    outBytes: () => out,
    backlog: () => opts.backlog ?? 0,
    flowPaused: opts.paused ?? (() => false),
    frame: async (idle) => void calls.push(idle ? 'frame' : 'tick frame'),
    catchUp: (screenOnly) => void calls.push(screenOnly ? 'live' : 'snapshot')
  };
  const p = new BehindPage(host, PAGE_IDLE_SNAPSHOT_MS, opts.frameNow);
  pages.push(p);
  return { p, calls, write: (bytes: number) => ((out += bytes), p.output()) };
}

describe('BehindPage', () => {
  it('shows the screen as soon as the terminal is quiet, and the full snapshot once it stays quiet', async () => {
    const { calls } = page();
    const t0 = Date.now();
    await waitFor('the idle frame', () => calls.length > 0, 2000);
    expect(calls).toEqual(['frame']);
    expect(Date.now() - t0).toBeLessThan(PAGE_FRAME_MS);
    await waitFor('the full snapshot', () => calls.includes('snapshot'), 2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(PAGE_FRAME_MS);
    expect(calls).toEqual(['frame', 'snapshot']);
  });

  it('gets frames while output keeps coming, and no full snapshot until it stops', async () => {
    const { calls, write } = page();
    const flood = setInterval(() => write(FLOOD_BYTES), 5);
    try {
      await waitFor('two frames', () => calls.filter((c) => c === 'tick frame').length >= 2, 3000);
      expect(calls.every((c) => c === 'tick frame')).toBe(true);
    } finally {
      clearInterval(flood);
    }
    await waitFor('the full snapshot', () => calls.includes('snapshot'), 2000);
  });

  it('a page of a flooding terminal gets the screen at once (it drops its queue), unless it is far behind', async () => {
    const { calls } = page({ frameNow: true });
    expect(calls).toEqual(['tick frame']);
    expect(page({ frameNow: true, backlog: PAGE_LOW_WATER_BYTES + 1 }).calls).toEqual([]);
    expect(page().calls).toEqual([]);
  });

  it('does not take a PTY paused for the mirror for a quiet terminal', async () => {
    let paused = true;
    const { calls } = page({ paused: () => paused });
    await new Promise((r) => setTimeout(r, PAGE_IDLE_SNAPSHOT_MS * 4));
    expect(calls).toEqual([]);
    paused = false;
    await waitFor('the idle frame', () => calls.length > 0, 2000);
  });
});

describe('OutputMeter', () => {
  it('floods past FLOOD_BYTES within a frame, and not when the same bytes are spread out', () => {
    const m = new OutputMeter();
    expect(m.add(FLOOD_BYTES, 0)).toBe(false);
    expect(m.add(1, 10)).toBe(true);
    const slow = new OutputMeter();
    for (let t = 0; t < 10; t++) expect(slow.add(FLOOD_BYTES / 2, t * (PAGE_FRAME_MS + 1))).toBe(false);
    expect(slow.total).toBe(5 * FLOOD_BYTES);
  });
});
