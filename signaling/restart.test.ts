import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { CreateSessionResponse } from '../src/lib/protocol/api.ts';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { makeOwnerKey, signStatement } from '../src/lib/mesh/owner-key.ts';
import { CONTROL_FILE, KEY_FILE, SESSIONS_FILE, startSignaling, type SignalingServer } from './server.ts';
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
    for (const f of [KEY_FILE, SESSIONS_FILE, CONTROL_FILE]) expect(statSync(join(stateDir, f)).mode & 0o777).toBe(0o600);
  });

  it('still honours the invites it made and still refuses what it refused: revoked links, removed participants, retired jtis, ended sessions', async () => {
    const stateDir = tempDir();
    const first = await start(stateDir);
    const created = await createSession(first);
    const s = created.session;
    const key = await makeOwnerKey();
    const owner = await post(first, `/api/sessions/${s}/join`, { invite: created.invites.owner, name: 'Olga', ck: key.jwk });
    const ownerAuth = { Authorization: `Bearer ${owner.json.token as string}` };
    const invite = async (uses: number) => (await post(first, `/api/sessions/${s}/invites`, { role: 'viewer', ttl: 3600, uses }, ownerAuth)).json as { invite: string; info: { id: string } };
    const kept = await invite(2);
    const revoked = await invite(5);
    expect((await post(first, `/api/sessions/${s}/invites/${revoked.info.id}/revoke`, {}, ownerAuth)).status).toBe(200);
    // one of the two uses is spent before the restart
    expect((await post(first, `/api/sessions/${s}/join`, { invite: kept.invite, name: 'V1' })).status).toBe(200);
    // a participant the owner removes, and the link it came through revoked as well
    const removed = await post(first, `/api/sessions/${s}/join`, { invite: created.invites.editor, name: 'Eve', fp: 'AA:BB' });
    const statement = await signStatement(key.privateKey, { sub: owner.json.participant as string, aud: s }, { act: 'remove', sub: removed.json.participant as string });
    expect((await post(first, `/api/sessions/${s}/control`, { statement }, ownerAuth)).status).toBe(200);
    expect((await post(first, `/api/sessions/${s}/invites/editor/revoke`, {}, ownerAuth)).status).toBe(200);
    // a credential exchanged for a newer one (its jti retired)
    const viewer = await post(first, `/api/sessions/${s}/join`, { invite: created.invites.viewer, name: 'Vi', fp: 'CC:DD' });
    const oldViewer = viewer.json.token as string;
    const renewed = await post(first, `/api/sessions/${s}/refresh`, { fp: 'CC:DD' }, { Authorization: `Bearer ${oldViewer}` });
    expect(renewed.status).toBe(200);
    // another session, ended
    const other = await createSession(first);
    expect((await post(first, `/api/sessions/${other.session}/end`, {}, { Authorization: `Bearer ${other.token}` })).status).toBe(200);
    // as if killed right after answering (the files as they are now, not as close() leaves them):
    // everything above must already be on disk
    const copy = tempDir();
    cpSync(stateDir, copy, { recursive: true });
    await first.close();
    const second = await start(copy);

    const again = await post(second, `/api/sessions/${s}/join`, { invite: kept.invite, name: 'V2' });
    expect(again.status).toBe(200);
    expect(again.json.role).toBe('viewer');
    const usedUp = await post(second, `/api/sessions/${s}/join`, { invite: kept.invite, name: 'V3' });
    expect(usedUp).toMatchObject({ status: 403, json: { code: 'revoked-invite' } });
    expect(usedUp.json.error).toMatch(/used as many times/);
    expect((await post(second, `/api/sessions/${s}/join`, { invite: revoked.invite, name: 'R' })).json).toMatchObject({ code: 'revoked-invite', error: expect.stringMatching(/revoked/) });
    expect((await post(second, `/api/sessions/${s}/join`, { invite: created.invites.editor, name: 'Eve again' })).json.code).toBe('revoked-invite');
    const listed = (await (await fetch(`${second.url}/api/sessions/${s}/invites`, { headers: ownerAuth })).json()) as { invites: { id: string; revoked: boolean; usesLeft: number | null }[] };
    expect(listed.invites.find((i) => i.id === kept.info.id)).toMatchObject({ revoked: false, usesLeft: 0 });
    expect(listed.invites.find((i) => i.id === 'editor')?.revoked).toBe(true);

    const eve = removed.json.token as string;
    const eveRefresh = await post(second, `/api/sessions/${s}/refresh`, { fp: 'AA:BB' }, { Authorization: `Bearer ${eve}` });
    expect(eveRefresh.status).toBe(401);
    expect(eveRefresh.json.error).toMatch(/removed/);
    expect(await refusal(second, [SIGNAL_SUBPROTOCOL, eve])).toMatchObject({ status: 401, body: expect.stringMatching(/removed/) });

    const stale = await post(second, `/api/sessions/${s}/refresh`, { fp: 'CC:DD' }, { Authorization: `Bearer ${oldViewer}` });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toMatch(/already exchanged/);
    expect(await refusal(second, [SIGNAL_SUBPROTOCOL, oldViewer])).toMatchObject({ status: 401, body: expect.stringMatching(/already exchanged/) });
    // the renewed one is the live one
    await subscribed(second, renewed.json.token as string, s);

    const ended = await post(second, `/api/sessions/${other.session}/join`, { invite: other.invites.viewer, name: 'Late' });
    expect(ended).toMatchObject({ status: 410, json: { code: 'session-ended' } });
  });

  it('refuses to start on a damaged control file, naming it', async () => {
    const stateDir = tempDir();
    await beforeRestart(stateDir);
    writeFileSync(join(stateDir, CONTROL_FILE), JSON.stringify({ version: 1, invites: {}, revocations: { retired: [['x', 'soon']], removed: {}, roles: {}, ended: {} } }));
    await expect(start(stateDir)).rejects.toThrow(new RegExp(`${join(stateDir, CONTROL_FILE)} is damaged \\(the retired credential ids are malformed\\)`));
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
