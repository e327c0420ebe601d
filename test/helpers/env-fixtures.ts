/** Snapshots built by hand, for the diff's and the components' tests and the UI harness. */
import type { Sections, Snapshot, SnapshotInfo } from '../../src/lib/protocol/env.ts';

export function info(id: number, label = `checkpoint ${id}`): SnapshotInfo {
  return { id, label, time: 1_767_225_600_000 + id * 60_000, author: id === 1 ? null : { id: 'p1', name: 'Alice', role: 'editor' }, source: id === 1 ? 'start' : 'request' };
}

/** A plausible snapshot; `patch` replaces sections. */
export function snapshot(id: number, patch: Partial<Sections> = {}): Snapshot {
  const sections: Sections = {
    system: { status: 'ok', data: { os: 'Debian GNU/Linux 12 (bookworm)', kernel: 'Linux 6.1.0', arch: 'x64', hostname: 'box', user: 'alice', uid: 1000, uptimeS: 3600, loadavg: [0.5, 0.4, 0.3], cwd: '/srv/app', cpus: 2 } },
    env: {
      status: 'ok',
      data: [
        { name: 'HOME', value: '/home/alice' },
        { name: 'GITHUB_TOKEN', value: '[REDACTED:secret-name]', redacted: ['secret-name'] },
        { name: 'PATH', value: '/usr/bin:/bin' }
      ]
    },
    limits: { status: 'ok', data: [{ name: 'Max open files', soft: '1024', hard: '1048576', unit: 'files' }] },
    processes: { status: 'ok', data: { total: 2, top: [{ pid: 10, ppid: 1, user: 'alice', cpu: 1.5, mem: 0.3, rssKb: 20000, cmd: 'node server.js --token [REDACTED:secret-argument]' }], pids: [1, 10] } },
    ports: { status: 'ok', data: [{ proto: 'tcp', address: '0.0.0.0', port: 22 }] },
    memory: { status: 'ok', data: { totalKb: 4_000_000, availableKb: 2_000_000, swapTotalKb: 0, swapFreeKb: 0 } },
    disks: { status: 'ok', data: [{ fs: '/dev/vda', mount: '/', sizeKb: 10_000_000, usedKb: 5_000_000, availKb: 5_000_000 }] },
    network: { status: 'ok', data: { interfaces: [{ name: 'eth0', state: 'UP', addrs: ['10.0.0.2/24'] }], routes: ['default via 10.0.0.1 dev eth0'] } },
    dns: { status: 'ok', data: { nameservers: ['10.0.0.1'], search: [] } },
    containers: { status: 'absent', reason: 'docker is not installed' },
    kubernetes: { status: 'absent', reason: 'kubectl is not installed' },
    systemd: { status: 'ok', data: [] },
    git: { status: 'ok', data: { root: '/srv/app', branch: 'main', head: 'a'.repeat(40), dirty: [], diffStat: '' } },
    runtimes: { status: 'ok', data: [{ name: 'node', version: 'v24.1.0' }] },
    ...patch
  };
  return { info: info(id), tookMs: 120, sections, redactions: [{ where: 'env', name: 'GITHUB_TOKEN', kinds: ['secret-name'] }] };
}

/** The start snapshot and a checkpoint after a variable, a process, a port and a file changed. */
export function fakeSnapshots(): Snapshot[] {
  const start = snapshot(1);
  start.info.label = 'start';
  const after = snapshot(2, {
    env: {
      status: 'ok',
      data: [
        { name: 'DATABASE_URL', value: 'postgres://app:[REDACTED:url-password]@db.internal/app', redacted: ['url-password'] },
        { name: 'DEBUG', value: 'app:*' },
        { name: 'GITHUB_TOKEN', value: '[REDACTED:secret-name]', redacted: ['secret-name'] },
        { name: 'HOME', value: '/home/alice' },
        { name: 'PATH', value: '/usr/bin:/bin' }
      ]
    },
    processes: {
      status: 'ok',
      data: {
        total: 3,
        top: [
          { pid: 10, ppid: 1, user: 'alice', cpu: 1.5, mem: 0.3, rssKb: 20000, cmd: 'node server.js --token [REDACTED:secret-argument]' },
          { pid: 4242, ppid: 10, user: 'alice', cpu: 0.1, mem: 0.1, rssKb: 9000, cmd: 'python3 -m http.server 8000' }
        ],
        pids: [1, 10, 4242]
      }
    },
    ports: { status: 'ok', data: [{ proto: 'tcp', address: '0.0.0.0', port: 22 }, { proto: 'tcp', address: '0.0.0.0', port: 8000, pid: 4242, process: 'python3' }] },
    git: { status: 'ok', data: { root: '/srv/app', branch: 'main', head: 'a'.repeat(40), dirty: [{ path: 'config/app.yaml', status: ' M' }], diffStat: ' config/app.yaml | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)' } },
    memory: { status: 'ok', data: { totalKb: 4_000_000, availableKb: 1_700_000, swapTotalKb: 0, swapFreeKb: 0 } },
    kubernetes: { status: 'timeout', ms: 3000 }
  });
  after.info.label = 'after the config change';
  after.redactions = [
    { where: 'env', name: 'DATABASE_URL', kinds: ['url-password'] },
    { where: 'env', name: 'GITHUB_TOKEN', kinds: ['secret-name'] },
    { where: 'process', name: 'pid 10 (node)', kinds: ['secret-argument'] }
  ];
  return [start, after];
}
