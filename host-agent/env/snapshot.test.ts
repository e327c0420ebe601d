/**
 * Real probes on this box: a process with secrets on its command line, a tool that is missing, a
 * deadline too short for any tool, the bounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotInfo } from '../../src/lib/protocol/env.ts';
import { takeSnapshot } from './snapshot.ts';
import { TOP_PROCESSES } from './probes-procs.ts';

const info: SnapshotInfo = { id: 1, label: 't', time: 0, author: null, source: 'start' };
const GH = 'ghp_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8';
let child: ChildProcess;

beforeAll(() => {
  // a child of this process: the session's own processes are always listed
  child = spawn('sh', ['-c', 'sleep 600; :', 'worker', `--api-key=${GH}`, '--password', 'hunter2-xyz'], { stdio: 'ignore' });
});
afterAll(() => child.kill());

describe('takeSnapshot', () => {
  it("redacts a process's command line and the environment, and says what it redacted", async () => {
    const s = await takeSnapshot({ cwd: process.cwd(), env: { HOME: '/root', MY_SECRET: 'abc' }, pid: process.pid }, info);
    const json = JSON.stringify(s);
    expect(json).not.toContain(GH);
    expect(json).not.toContain('hunter2-xyz');
    expect(json).not.toContain('"abc"');
    const procs = s.sections.processes.status === 'ok' ? s.sections.processes.data.top : [];
    const mine = procs.find((p) => p.pid === child.pid);
    expect(mine?.cmd).toContain('[REDACTED:');
    expect(s.redactions).toContainEqual({ where: 'process', name: `pid ${child.pid} (sh)`, kinds: expect.arrayContaining(['secret-argument']) });
    expect(s.redactions).toContainEqual({ where: 'env', name: 'MY_SECRET', kinds: ['secret-name'] });
    expect(s.sections.env).toEqual({ status: 'ok', data: [{ name: 'HOME', value: '/root' }, { name: 'MY_SECRET', value: '[REDACTED:secret-name]', redacted: ['secret-name'] }] });
    expect(procs.length).toBeLessThanOrEqual(TOP_PROCESSES + 60);
  });

  it('shows a missing tool as absent and a slow probe as timed out', async () => {
    // no PATH for the shell's view: runtimes finds nothing; the git of a directory outside any repo is absent
    const s = await takeSnapshot({ cwd: '/', env: { PATH: '/nonexistent' }, pid: process.pid }, info);
    expect(s.sections.git.status).toBe('absent');
    expect(s.sections.runtimes).toEqual({ status: 'ok', data: [] });
    const fast = await takeSnapshot({ cwd: process.cwd(), env: {}, pid: process.pid, timeoutMs: 1 }, info);
    expect(fast.sections.processes).toEqual({ status: 'timeout', ms: 1 });
  });

  it('cuts long values and says so', async () => {
    const s = await takeSnapshot({ cwd: '/', env: { LONG: 'x'.repeat(5000) }, pid: process.pid }, info);
    expect(s.sections.env.status === 'ok' && s.sections.env.truncated).toMatch(/cut/);
    expect(JSON.stringify(s.sections.env).length).toBeLessThan(3000);
  });
});
