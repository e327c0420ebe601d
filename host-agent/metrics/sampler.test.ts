import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetrics, writeMetrics } from '../../src/lib/protocol/metrics.ts';
import { until } from '../../test/helpers/wait.ts';
import { parseCpu, parseDiskstats, parseMeminfo, parseNetDev, parsePidStat } from './proc.ts';
import { Sampler } from './sampler.ts';

let child: ChildProcess | null = null;
let sampler: Sampler | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
  sampler?.dispose();
  sampler = null;
});

describe('the /proc parsers', () => {
  it('read the real files', () => {
    const cpu = parseCpu(readFileSync('/proc/stat', 'latin1'));
    expect(cpu.total).toBeGreaterThan(cpu.busy);
    expect(cpu.busy).toBeGreaterThan(0);
    const mem = parseMeminfo(readFileSync('/proc/meminfo', 'latin1'));
    expect(mem.totalKb).toBeGreaterThan(mem.availableKb);
    const self = parsePidStat(readFileSync('/proc/self/stat', 'latin1'));
    expect(self).toMatchObject({ name: expect.any(String), jiffies: expect.any(Number) });
    expect(self!.rssPages).toBeGreaterThan(0);
  });

  it('take apart the fields that matter', () => {
    // a process name with spaces and a parenthesis must not shift the fields
    const stat = '42 (we ird) n) S 1 42 42 0 -1 4194560 100 0 0 0 700 300 0 0 20 0 1 0 500 1000 77 18446744073709551615';
    expect(parsePidStat(stat)).toEqual({ name: 'we ird) n', jiffies: 1000, rssPages: 77 });
    const net = 'Inter-| Receive | Transmit\n face |bytes packets\n    lo: 500 1 0 0 0 0 0 0 500 1 0 0 0 0 0 0\n  eth0: 1000 5 0 0 0 0 0 0 2000 7 0 0 0 0 0 0\n';
    expect(parseNetDev(net)).toEqual({ rx: 1000, tx: 2000 });
    const disks = '   8 0 sda 10 0 100 5 20 0 200 9 0 0 0\n   8 1 sda1 10 0 100 5 20 0 200 9 0 0 0\n   7 0 loop0 1 0 8 0 0 0 0 0 0 0 0\n';
    expect(parseDiskstats(disks, new Set(['sda']))).toEqual({ read: 100 * 512, written: 200 * 512 });
    expect(parseCpu('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n')).toEqual({ busy: 150, total: 1000 });
  });
});

describe('the sampler on this box', () => {
  it('sees a busy process among the top, and a sample survives the wire', async () => {
    sampler = new Sampler({ window: 3 });
    expect(sampler.sample()).toBeNull(); // the first reading only primes the counters
    child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    const pid = child.pid!;
    await until(() => sampler!.sample()!.top.some((p) => p.pid === pid && p.cpu > 10), 'the busy child among the top processes', 15_000);
    const s = sampler.window.at(-1)!;
    expect(s.cpu).toBeGreaterThan(0);
    expect(s.memTotalKb).toBeGreaterThan(s.memUsedKb);
    expect(s.load).toHaveLength(3);
    expect(s.costUs).toBeGreaterThan(0);
    expect(s.top.length).toBeLessThanOrEqual(5);
    expect(sampler.window.length).toBeLessThanOrEqual(3);
    // what the host sends is what the page reads
    expect(readMetrics(writeMetrics({ type: 'sample', sample: s }).subarray(1))).toEqual({ type: 'sample', sample: s });
  });

  it('costs little: one sample takes well under 50 ms of CPU', () => {
    sampler = new Sampler();
    sampler.sample();
    const costs = Array.from({ length: 5 }, () => sampler!.sample()!.costUs);
    expect(Math.min(...costs)).toBeLessThan(50_000);
  });
});
