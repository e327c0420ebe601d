/** `live-sessions start`: signaling and host agent in one process, state under one directory. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shellTestEnv, spawnCli, START_TIMEOUT_MS, stopAll } from '../test/helpers/processes.ts';
import { makeTempDir } from '../test/helpers/tmp.ts';
import { KEY_FILE } from '../signaling/server.ts';
import { startCoturn } from '../test/helpers/coturn.ts';
import { ApiClient } from '../src/lib/mesh/api-client.ts';
import { readLink } from '../src/lib/protocol/links.ts';

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

  it('takes the TURN flags and --relay-only: participants get relay credentials coturn accepts', async () => {
    const coturn = await startCoturn({ ip: '127.0.0.1' });
    const turn = [...coturn.turnUrls.flatMap((u) => ['--turn-url', u]), `--turn-secret=${coturn.secret}`, '--stun-url', coturn.stunUrl];
    const p = spawnCli(['start', '--port', '0', '--cwd', makeTempDir(), '--shell', '/bin/sh', ...turn, '--relay-only'], { env: shellTestEnv() });
    const [, url] = await p.waitForLine(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/, START_TIMEOUT_MS, 'stdout');
    expect((await p.waitForLine(/^ice: (.*)$/, START_TIMEOUT_MS, 'stdout'))[1]).toBe(`${coturn.stunUrl} ${coturn.turnUrls.join(' ')}`);
    const [, editor] = await p.waitForLine(/^ {2}editor {2}(\S+)$/, START_TIMEOUT_MS, 'stdout');
    const link = new URL(editor);
    const parts = readLink(link.pathname.split('/').pop()!, link.hash);
    const cred = await new ApiClient(url).join(parts.session, { invite: parts.invite, name: 'Tess' });
    expect(cred.relay).toBe(true);
    const turnEntry = cred.ice.find((s) => s.urls.some((u) => u.startsWith('turn:')));
    expect(turnEntry).toMatchObject({ urls: coturn.turnUrls, username: expect.stringMatching(new RegExp(`^\\d+:${cred.participant}$`)) });
    // coturn takes those credentials: doctor allocates with the same secret
    const doctor = spawnCli(['doctor', '--signaling', url]);
    expect((await doctor.exited).code, doctor.stdout.join('\n')).toBe(0);
    expect(doctor.stdout.join('\n')).toMatch(/ ok  TURN turn:127\.0\.0\.1:\d+\?transport=tcp allocates a relay \(TCP\)/);
    expect(await p.stop()).toEqual({ code: 0, signal: null });
    // (coturn, a signaling server, a host and doctor's allocations over UDP, TCP and TLS: more
    // than the unit project's 20 s on a loaded machine)
  }, 60_000);

  it('exits 2 on TURN flags that do not fit together, before starting anything', async () => {
    const p = spawnCli(['start', '--port', '0', '--cwd', makeTempDir(), '--turn-url', 'turn:127.0.0.1:3478']);
    expect(await p.exited).toEqual({ code: 2, signal: null });
    expect(p.stderr.join('\n')).toMatch(/--turn-url needs --turn-secret or --turn-secret-file/);
    expect(p.stdout.join('\n')).not.toMatch(/listening on/);
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
