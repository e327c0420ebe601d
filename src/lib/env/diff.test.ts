import { describe, expect, it } from 'vitest';
import type { EnvVar, Port, Proc } from '../protocol/env.ts';
import { diffSnapshots, isEmptyDiff } from './diff.ts';
import { snapshot } from '../../../test/helpers/env-fixtures.ts';

const before = snapshot(1);

describe('diffSnapshots', () => {
  it('finds nothing between a snapshot and itself', () => {
    expect(isEmptyDiff(diffSnapshots(before, before))).toBe(true);
  });

  it('lists variables added, removed and changed', () => {
    const after = snapshot(2, {
      env: {
        status: 'ok',
        data: [
          { name: 'HOME', value: '/root' },
          { name: 'PATH', value: '/usr/bin:/bin' },
          { name: 'DEBUG', value: '1' },
          // set by every shell itself: not a change anyone made
          { name: 'SHLVL', value: '2' },
          { name: '_', value: '/usr/bin/env' }
        ]
      }
    });
    const d = diffSnapshots(before, after);
    expect(d.env.added.map((v) => v.name)).toEqual(['DEBUG']);
    expect(d.env.removed.map((v) => v.name)).toEqual(['GITHUB_TOKEN']);
    expect(d.env.changed).toEqual([{ name: 'HOME', before: '/home/alice', after: '/root' }]);
  });

  it('lists processes started and ended, ports opened and closed', () => {
    const proc: Proc = { pid: 99, ppid: 10, user: 'alice', cpu: 0, mem: 0, rssKb: 900, cmd: 'sleep 600' };
    const port: Port = { proto: 'tcp', address: '127.0.0.1', port: 8000, pid: 99, process: 'python3' };
    const after = snapshot(2, { processes: { status: 'ok', data: { total: 2, top: [proc], pids: [1, 99] } }, ports: { status: 'ok', data: [port] } });
    const d = diffSnapshots(before, after);
    expect(d.processes.started).toEqual([proc]);
    expect(d.processes.ended.map((p) => p.pid)).toEqual([10]);
    expect(d.ports.opened).toEqual([port]);
    expect(d.ports.closed.map((p) => p.port)).toEqual([22]);
  });

  it('does not count a process that only got busier or quieter as started or ended', () => {
    const busier: Proc = { pid: 1, ppid: 0, user: 'root', cpu: 50, mem: 0, rssKb: 900, cmd: 'init' };
    // pid 10 fell out of the busiest, but is still running; pid 1 was running before
    const after = snapshot(2, { processes: { status: 'ok', data: { total: 2, top: [busier], pids: [1, 10] } } });
    const d = diffSnapshots(before, after);
    expect(d.processes).toEqual({ started: [], ended: [] });
  });

  it('lists files dirtied and cleaned, a new HEAD, memory and disks that moved', () => {
    const start = snapshot(1, { git: { status: 'ok', data: { root: '/srv/app', branch: 'main', head: 'a'.repeat(40), dirty: [{ path: 'old.txt', status: ' M' }], diffStat: '' } } });
    const after = snapshot(2, {
      git: { status: 'ok', data: { root: '/srv/app', branch: 'main', head: 'b'.repeat(40), dirty: [{ path: 'notes.txt', status: '??' }], diffStat: '' } },
      memory: { status: 'ok', data: { totalKb: 4_000_000, availableKb: 1_500_000, swapTotalKb: 0, swapFreeKb: 0 } },
      disks: { status: 'ok', data: [{ fs: '/dev/vda', mount: '/', sizeKb: 10_000_000, usedKb: 5_100_000, availKb: 4_900_000 }] }
    });
    const d = diffSnapshots(start, after);
    expect(d.files.dirtied).toEqual([{ path: 'notes.txt', status: '??' }]);
    expect(d.files.cleaned).toEqual([{ path: 'old.txt', status: ' M' }]);
    expect(d.git.head).toEqual({ before: 'a'.repeat(40), after: 'b'.repeat(40) });
    expect(d.memory).toEqual({ before: 2_000_000, after: 1_500_000 });
    expect(d.disks).toEqual([{ mount: '/', before: 5_000_000, after: 5_100_000 }]);
  });

  it('reports probes whose outcome changed and runtimes that changed version', () => {
    const after = snapshot(2, { containers: { status: 'ok', data: [] }, git: { status: 'timeout', ms: 3000 }, runtimes: { status: 'ok', data: [{ name: 'node', version: 'v24.2.0' }] } });
    const d = diffSnapshots(before, after);
    expect(d.probes).toEqual([
      { section: 'containers', before: 'absent', after: 'ok' },
      { section: 'git', before: 'ok', after: 'timeout' }
    ]);
    expect(d.runtimes).toEqual([{ name: 'node', before: 'v24.1.0', after: 'v24.2.0' }]);
    // a probe that timed out does not make its files look cleaned
    expect(d.files.cleaned).toEqual([]);
  });

  it('diffs two snapshots at their size bounds well within 50 ms', () => {
    const vars = (n: number, tag: string): EnvVar[] => Array.from({ length: n }, (_, i) => ({ name: `VAR_${i}`, value: `${tag}-${i % 7}` }));
    const procs = (tag: string): Proc[] => Array.from({ length: 100 }, (_, i) => ({ pid: i + (tag === 'b' ? 50 : 0), ppid: 1, user: 'u', cpu: 0, mem: 0, rssKb: 1, cmd: `cmd ${i}` }));
    const ports = (off: number): Port[] => Array.from({ length: 200 }, (_, i) => ({ proto: 'tcp', address: '0.0.0.0', port: 1000 + i + off }));
    const big = (id: number, tag: string, off: number) => snapshot(id, { env: { status: 'ok', data: vars(300, tag) }, processes: { status: 'ok', data: { total: 100, top: procs(tag), pids: procs(tag).map((p) => p.pid) } }, ports: { status: 'ok', data: ports(off) } });
    const a = big(1, 'a', 0);
    const b = big(2, 'b', 50);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      diffSnapshots(a, b);
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    expect(times[10]).toBeLessThan(50);
  });
});
