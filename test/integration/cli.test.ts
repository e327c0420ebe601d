/** The `live-sessions` command as a user runs it: contracts, clean shutdown, clear errors. */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, spawnCli, spawnProcess, startHostProcess, startSignalingProcess, stopAll, waitForHostEvent } from '../helpers/processes.ts';
import { unusedPort } from '../helpers/ports.ts';
import { makeTempDir } from '../helpers/tmp.ts';

afterEach(stopAll);

describe('live-sessions host', () => {
  it('prints exactly one JSON line with the links first, and ends cleanly on SIGTERM', async () => {
    const sig = await startSignalingProcess();
    const host = await startHostProcess(sig.url, { shell: '/bin/bash' });
    expect(Object.keys(JSON.parse(host.process.stdout[0]))).toEqual(['session', 'links']);
    // every later line is one event
    await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online');
    expect(host.process.stdout.slice(1).every((l) => 'event' in JSON.parse(l))).toBe(true);
    for (const role of ['owner', 'editor', 'viewer'] as const) {
      const u = new URL(host.links[role]);
      expect(u.origin).toBe(sig.url);
      expect(u.pathname).toBe(`/s/${host.session}`);
      // secrets only in the fragment, which browsers never send to a server
      expect(u.search).toBe('');
      expect(u.hash).toMatch(/^#invite=[\w-]+&key=[\w-]{43}$/);
    }
    expect(new Set(Object.values(host.links)).size).toBe(3);
    const exit = await host.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(host.process.stderr.join('\n')).toMatch(/SIGTERM: ending the session/);
  });

  it('explains what is wrong with its flags and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['host', '--bogus'], /unknown option "--bogus"/],
      [['host', '--cwd', '/does/not/exist'], /--cwd "\/does\/not\/exist" is not a directory/],
      [['host', '--signaling', 'ftp://x'], /--signaling must be an http:\/\/ or https:\/\/ URL/],
      [['host', '--signaling'], /--signaling needs a value/],
      [['host', '--attach', 'http://127.0.0.1:1/s/abcdefgh'], /--attach must be the whole link the session page shows/],
      [['host', '--attach', 'not a link'], /--attach must be the whole link/],
      [['host', '--attach', 'http://127.0.0.1:1/s/abcdefgh#invite=i&key=k', '--signaling', 'http://127.0.0.1:1'], /--attach takes the server from the link/],
      [['dance'], /unknown command "dance"/]
    ];
    for (const [args, message] of cases) {
      const p = spawnCli(args);
      expect(await p.exited, args.join(' ')).toEqual({ code: 2, signal: null });
      expect(p.stderr.join('\n')).toMatch(message);
      expect(p.stderr.join('\n')).toMatch(/--help/);
    }
  });

  it('says so when the signaling server cannot be reached, and exits 1', async () => {
    const port = await unusedPort();
    const p = spawnCli(['host', '--signaling', `http://127.0.0.1:${port}`, '--cwd', makeTempDir()]);
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.stderr.join('\n').toLowerCase()).toContain(`cannot reach the signaling server at http://127.0.0.1:${port}`);
  });

  it('runs under an older system Node by re-running itself on the Node 24 from npm', async () => {
    const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find(existsSync);
    expect(systemNode, 'a system node to start the command with').toBeTruthy();
    const p = spawnProcess(systemNode!, [CLI, '--help']);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout.join('\n')).toMatch(/live-sessions host/);
  });
});
