/**
 * `--log 'logs/*.log'` with a real host process: a file created after the host started that
 * matches is followed too (a Node participant's LogsClient gets it as a source and its lines), the
 * pattern itself is listed with how many files it follows, and a file that does not match is not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogsClient } from '../../src/lib/logs/logs-client.ts';
import { joinNodePeer } from '../helpers/node-peer.ts';
import { startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess } from '../helpers/processes.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';

let host: HostProcess;
let signalingUrl: string;
let cwd: string;

beforeAll(async () => {
  cwd = makeTempDir('live-sessions-globs-cwd-');
  mkdirSync(join(cwd, 'logs'));
  writeFileSync(join(cwd, 'logs', 'api.log'), 'level=info msg="api up"\n');
  const sig = await startSignalingProcess();
  signalingUrl = sig.url;
  host = await startHostProcess(sig.url, { cwd, shell: '/bin/bash', args: ['--log', 'logs/*.log'] });
  await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online');
});
afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

describe('--log with a glob', () => {
  it('follows files created after the start that match, and lists the pattern with its count', async () => {
    const p = new URLSearchParams(new URL(host.links.viewer).hash.slice(1));
    const peer = await joinNodePeer(signalingUrl, host.session, p.get('invite')!, p.get('key')!, { name: 'Gus' });
    const logs = new LogsClient(peer.mesh);
    await peer.peer('host');
    await until(() => logs.lines.some((l) => l.text.includes('api up')), 'the first file');
    const glob = () => logs.sources.find((s) => s.kind === 'glob');
    expect(glob()).toMatchObject({ spec: 'logs/*.log', state: 'following', detail: '1 file; new matches are followed too' });

    writeFileSync(join(cwd, 'logs', 'worker.log'), 'level=warn msg="worker started late"\n');
    writeFileSync(join(cwd, 'logs', 'notes.txt'), 'level=warn msg="not a log"\n');
    await until(() => logs.lines.some((l) => l.text.includes('worker started late')), 'the file created later', 15_000);
    expect(logs.sources.filter((s) => s.kind === 'file').map((s) => s.spec).sort()).toEqual([join(cwd, 'logs', 'api.log'), join(cwd, 'logs', 'worker.log')]);
    await until(() => glob()?.detail === '2 files; new matches are followed too', 'the count');
    expect(logs.lines.some((l) => l.text.includes('not a log'))).toBe(false);
    logs.dispose();
  });
});
