import { afterEach, describe, expect, it } from 'vitest';
import { parseHostLine, runningProcesses, spawnProcess, stopAll } from './processes.ts';

const node = process.execPath;
afterEach(stopAll);

describe('spawnProcess', () => {
  it('collects lines from both streams and finds a line printed before or after the wait', async () => {
    const p = spawnProcess(node, ['-e', `console.log('one'); console.error('warn: two'); setTimeout(() => console.log('listening on http://127.0.0.1:5/'), 200)`]);
    const m = await p.waitForLine(/listening on (http:\/\/\S+)/, 5_000);
    expect(m[1]).toBe('http://127.0.0.1:5/');
    expect(await p.waitForLine(/^warn: (\w+)/, 1_000, 'stderr')).toContain('two');
    await p.exited;
    expect(p.stdout).toEqual(['one', 'listening on http://127.0.0.1:5/']);
    expect(p.stderr).toEqual(['warn: two']);
  });

  it('rejects a wait when the process exits first, quoting its output', async () => {
    const p = spawnProcess(node, ['-e', `console.error('port in use'); process.exit(3)`]);
    await expect(p.waitForLine(/listening/, 5_000)).rejects.toThrow(/exited \(code 3\)[\s\S]*port in use/);
  });

  it('rejects a wait after its timeout', async () => {
    const p = spawnProcess(node, ['-e', 'setTimeout(() => {}, 10_000)']);
    await expect(p.waitForLine(/never/, 200)).rejects.toThrow(/within 200 ms/);
  });

  it('stop() kills a process that ignores SIGTERM once the grace period is over', async () => {
    const p = spawnProcess(node, ['-e', `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)`]);
    await p.waitForLine(/ready/);
    const t0 = Date.now();
    expect(await p.stop(300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('stopAll() leaves nothing running', async () => {
    const ps = [1, 2, 3].map(() => spawnProcess(node, ['-e', 'setInterval(() => {}, 1000)']));
    expect(runningProcesses()).toHaveLength(3);
    await stopAll();
    expect(runningProcesses()).toHaveLength(0);
    for (const p of ps) expect(p.exitInfo?.signal).toBe('SIGTERM');
  });
});

describe('parseHostLine', () => {
  it('reads the session and the three links', () => {
    const line = JSON.stringify({ session: 's1', links: { owner: 'http://a/o', editor: 'http://a/e', viewer: 'http://a/v' } });
    expect(parseHostLine(line)).toEqual({ session: 's1', links: { owner: 'http://a/o', editor: 'http://a/e', viewer: 'http://a/v' } });
  });

  it('explains what is wrong with anything else', () => {
    expect(() => parseHostLine('host agent starting…')).toThrow(/one JSON line first on stdout/);
    expect(() => parseHostLine('{"session":"s1","links":{"owner":"x"}}')).toThrow(/links\.owner\/editor\/viewer/);
  });
});
