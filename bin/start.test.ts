/** `live-sessions start`: signaling and host agent in one process, state under one directory. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shellTestEnv, spawnCli, START_TIMEOUT_MS, stopAll } from '../test/helpers/processes.ts';
import { makeTempDir } from '../test/helpers/tmp.ts';
import { KEY_FILE } from '../signaling/server.ts';

afterEach(stopAll);

describe('live-sessions start', () => {
  it('serves on a free port, prints the links and the audit path under the state directory, and ends on SIGTERM', async () => {
    const state = makeTempDir('live-sessions-state-');
    const p = spawnCli(['start', '--port', '0', '--cwd', makeTempDir(), '--shell', '/bin/bash'], { env: { ...shellTestEnv(), LIVE_SESSIONS_STATE_DIR: state } });
    const [, url] = await p.waitForLine(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/, START_TIMEOUT_MS, 'stdout');
    const [, session] = await p.waitForLine(/^Session (\S+) is live\./, START_TIMEOUT_MS, 'stdout');
    const [, owner] = await p.waitForLine(/^ {2}owner {3}(\S+)$/, START_TIMEOUT_MS, 'stdout');
    expect(new URL(owner).origin).toBe(url);
    const [, audit] = await p.waitForLine(/^Who did what .*: (.+)$/, START_TIMEOUT_MS, 'stdout');
    expect(audit).toBe(join(state, session, 'audit.jsonl'));
    expect(existsSync(join(state, 'signaling', KEY_FILE))).toBe(true);
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ ok: true });
    expect(await p.stop()).toEqual({ code: 0, signal: null });
  });

  it('exits 2 on a bad flag', async () => {
    const p = spawnCli(['start', '--port', 'x']);
    expect(await p.exited).toEqual({ code: 2, signal: null });
    expect(p.stderr.join('\n')).toMatch(/--port must be a number from 0 to 65535/);
  });

  it('exits 2 before starting anything when --shell cannot run', async () => {
    for (const [shell, why] of [
      ['/no/such/shell', /--shell "\/no\/such\/shell" is not an executable file \(no such file\)/],
      ['/tmp', /is not an executable file \(it is a directory\)/],
      ['no-such-shell-anywhere', /was not found in PATH/]
    ] as const) {
      const p = spawnCli(['start', '--port', '0', '--cwd', makeTempDir(), '--shell', shell]);
      expect(await p.exited).toEqual({ code: 2, signal: null });
      expect(p.stderr.join('\n')).toMatch(why);
      expect(p.stdout.join('\n')).not.toMatch(/listening on/);
    }
  });
});
