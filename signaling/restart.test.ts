import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { CreateSessionResponse } from '../src/lib/protocol/api.ts';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { KEY_FILE, SESSIONS_FILE, startSignaling, type SignalingServer } from './server.ts';
import { connect, createSession, post, refusal, roundTrip, send } from './testing.ts';
import { SIGNAL_SUBPROTOCOL } from '../src/lib/protocol/signaling.ts';

const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
const dirs: string[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ls-restart-'));
  dirs.push(dir);
  return join(dir, 'state');
}

async function start(stateDir: string | null): Promise<SignalingServer> {
  const s = await startSignaling({ port: 0, staticDir: null, log: () => {}, stateDir });
  servers.push(s);
  return s;
}

async function kid(server: SignalingServer): Promise<string> {
  const jwks = (await (await fetch(server.url + '/.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
  return jwks.keys[0].kid;
}

/** A session and an editor's credential on a server that is then stopped. */
async function beforeRestart(stateDir: string): Promise<{ created: CreateSessionResponse; editor: string; kid: string }> {
  const first = await start(stateDir);
  const created = await createSession(first);
  const joined = await post(first, `/api/sessions/${created.session}/join`, { invite: created.invites.editor, name: 'Ed' });
  const k = await kid(first);
  await first.close();
  return { created, editor: joined.json.token as string, kid: k };
}

async function subscribed(server: SignalingServer, token: string, session: string): Promise<void> {
  const ws = await connect(server, token);
  sockets.push(ws);
  send(ws, { type: 'subscribe', topics: [session] });
  await roundTrip(ws);
}

describe('a signaling server restarted with the same state directory', () => {
  it('keeps its key id and accepts credentials it issued before: ws, refresh and invites', async () => {
    const stateDir = tempDir();
    const { created, editor, kid: kidBefore } = await beforeRestart(stateDir);
    const second = await start(stateDir);

    expect(await kid(second)).toBe(kidBefore);
    await subscribed(second, editor, created.session);
    await subscribed(second, created.token, created.session);

    const refreshed = await post(second, `/api/sessions/${created.session}/refresh`, {}, { Authorization: `Bearer ${editor}` });
    expect(refreshed.status).toBe(200);
    expect(await localVerifier(second.keys.jwks())(refreshed.json.token as string, created.session)).toMatchObject({ role: 'editor', name: 'Ed' });

    const joined = await post(second, `/api/sessions/${created.session}/join`, { invite: created.invites.viewer, name: 'Vi' });
    expect(joined.status).toBe(200);
    expect(joined.json.role).toBe('viewer');
    // New sessions still work and survive the next restart too.
    const later = await createSession(second);
    await second.close();
    const third = await start(stateDir);
    expect((await post(third, `/api/sessions/${later.session}/join`, { invite: later.invites.owner, name: 'O' })).status).toBe(200);
  });

  it('keeps its files private: directory 0700, files 0600', async () => {
    const stateDir = tempDir();
    await beforeRestart(stateDir);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, SESSIONS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('but with another state directory (or none) it knows neither the old key nor the old sessions', async () => {
    const { created, editor, kid: kidBefore } = await beforeRestart(tempDir());
    for (const other of [await start(tempDir()), await start(null)]) {
      expect(await kid(other)).not.toBe(kidBefore);
      expect((await refusal(other, [SIGNAL_SUBPROTOCOL, editor])).status).toBe(401);
      const refresh = await post(other, `/api/sessions/${created.session}/refresh`, {}, { Authorization: `Bearer ${editor}` });
      expect(refresh.status).toBe(401);
      const join = await post(other, `/api/sessions/${created.session}/join`, { invite: created.invites.viewer, name: 'Vi' });
      expect(join.status).toBe(404);
    }
  });

  it('refuses to start on a damaged key file, naming it', async () => {
    const stateDir = tempDir();
    await beforeRestart(stateDir);
    writeFileSync(join(stateDir, KEY_FILE), '{}');
    await expect(start(stateDir)).rejects.toThrow(new RegExp(`${join(stateDir, KEY_FILE)} is damaged`));
  });
});
