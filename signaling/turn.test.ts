import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredentialResponse, type IceServer } from '../src/lib/protocol/api.ts';
import { startSignaling, type SignalingServer } from './server.ts';
import { createSession, post } from './testing.ts';
import { makeOwnerKey, signStatement } from '../src/lib/mesh/owner-key.ts';
import { checkIceUrl, checkTurnConfig, iceServersFor, turnCredential, TURN_TTL_S } from './turn.ts';

const SECRET = 'a-shared-secret-of-some-length';

describe('TURN credentials (coturn use-auth-secret)', () => {
  it('username is <expiry>:<participant>, password base64(HMAC-SHA1(secret, username))', () => {
    const c = turnCredential(SECRET, 'p_abc', 1_000, 600);
    expect(c.username).toBe('1600:p_abc');
    // the formula coturn applies, written out independently
    expect(c.credential).toBe(createHmac('sha1', Buffer.from(SECRET)).update(Buffer.from('1600:p_abc')).digest().toString('base64'));
  });

  it('hands STUN as given and TURN with credentials; nothing without a configuration', () => {
    expect(iceServersFor(undefined, 'p_x')).toEqual([]);
    const ice = iceServersFor({ turnUrls: ['turn:t.example:3478', 'turn:t.example:3478?transport=tcp'], stunUrls: ['stun:t.example:3478'], secret: SECRET }, 'p_x', 100);
    expect(ice).toEqual([
      { urls: ['stun:t.example:3478'] },
      { urls: ['turn:t.example:3478', 'turn:t.example:3478?transport=tcp'], username: `${100 + TURN_TTL_S}:p_x`, credential: turnCredential(SECRET, 'p_x', 100).credential }
    ]);
    expect(TURN_TTL_S).toBeLessThanOrEqual(600);
  });

  it('accepts the URL forms browsers take and refuses others with the form to use', () => {
    for (const u of ['turn:10.0.0.1:3478', 'turns:turn.example.org:5349?transport=tcp', 'turn:[::1]:3478?transport=udp', 'turn:host']) expect(checkIceUrl(u, 'turn')).toBe(u);
    expect(checkIceUrl('stun:10.0.0.1:3478', 'stun')).toBe('stun:10.0.0.1:3478');
    expect(() => checkIceUrl('http://x', 'turn')).toThrow(/turn:turn.example.org:3478/);
    expect(() => checkIceUrl('turn:x:99999', 'turn')).toThrow(/port/);
    expect(() => checkIceUrl('turn:x:3478?transport=sctp', 'turn')).toThrow(/transport=udp/);
    expect(() => checkIceUrl('turn:x:3478', 'stun')).toThrow(/stun:/);
    expect(() => checkIceUrl('stun:x:3478?transport=tcp', 'stun')).toThrow(/TURN only/);
  });

  it('refuses a configuration that cannot work', () => {
    expect(() => checkTurnConfig({ turnUrls: ['turn:x:3478'], stunUrls: [] })).toThrow(/--turn-secret/);
    expect(() => checkTurnConfig({ turnUrls: ['turn:x:3478'], stunUrls: [], secret: 'short' })).toThrow(/at least 16/);
    expect(() => checkTurnConfig({ turnUrls: [], stunUrls: [], secret: SECRET })).toThrow(/only useful with --turn-url/);
    expect(() => checkTurnConfig({ turnUrls: Array(9).fill('turn:x'), stunUrls: [], secret: SECRET })).toThrow(/at most 8/);
  });
});

describe('signaling with TURN', () => {
  let server: SignalingServer;
  let plain: SignalingServer;
  beforeAll(async () => {
    server = await startSignaling({ port: 0, staticDir: null, log: () => {}, turn: { turnUrls: ['turn:192.0.2.1:3478'], stunUrls: ['stun:192.0.2.1:3478'], secret: SECRET } });
    plain = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  });
  afterAll(() => Promise.all([server.close(), plain.close()]));

  const turnOf = (ice: IceServer[]) => ice.find((s) => s.urls[0].startsWith('turn:'))!;

  it('create, join and refresh each carry fresh credentials for that participant', async () => {
    const s = await createSession(server, 'host');
    expect(s.relay).toBe(false);
    const t = turnOf(s.ice);
    const [exp, who] = t.username!.split(':');
    expect(who).toBe(s.participant);
    expect(Number(exp) - Date.now() / 1000).toBeGreaterThan(TURN_TTL_S - 5);
    expect(t.credential).toBe(createHmac('sha1', SECRET).update(t.username!).digest('base64'));
    const joined = parseCredentialResponse((await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'V' })).json);
    expect(turnOf(joined.ice).username).toMatch(new RegExp(`^\\d+:${joined.participant}$`));
    const refreshed = parseCredentialResponse((await post(server, `/api/sessions/${s.session}/refresh`, {}, { authorization: `Bearer ${joined.token}` })).json);
    expect(turnOf(refreshed.ice).username).toMatch(new RegExp(`:${joined.participant}$`));
  });

  it('a relay-only session tells every participant, on join and refresh', async () => {
    const r = await post(server, '/api/sessions', { role: 'host', name: 'H', relay: true });
    expect(r.status).toBe(201);
    expect(r.json.relay).toBe(true);
    const s = r.json as unknown as { session: string; invites: Record<string, string> };
    const joined = parseCredentialResponse((await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'E' })).json);
    expect(joined.relay).toBe(true);
    const refreshed = await post(server, `/api/sessions/${s.session}/refresh`, {}, { authorization: `Bearer ${joined.token}` });
    expect(refreshed.json.relay).toBe(true);
  });

  it('the owner makes a session relay-only mid-session (a signed statement): credentials from then on say so; nobody else can', async () => {
    const s = await createSession(server, 'host');
    const key = await makeOwnerKey();
    const owner = (await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.owner, name: 'O', ck: key.jwk })).json;
    const editor = (await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'E', ck: key.jwk })).json;
    expect(editor.relay).toBe(false);
    const relayOnly = { act: 'relay-only', sub: s.session } as const;
    // an editor signing with a key of its own: not the owner's, refused
    const forged = await signStatement(key.privateKey, { sub: editor.participant as string, aud: s.session }, relayOnly);
    const refused = await post(server, `/api/sessions/${s.session}/control`, { statement: forged }, { authorization: `Bearer ${editor.token as string}` });
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatch(/not by an owner/);
    // one naming another session: refused
    const elsewhere = await signStatement(key.privateKey, { sub: owner.participant as string, aud: s.session }, { act: 'relay-only', sub: 'other' });
    expect((await post(server, `/api/sessions/${s.session}/control`, { statement: elsewhere }, { authorization: `Bearer ${owner.token as string}` })).json.error).toMatch(/names its session/);
    expect(parseCredentialResponse((await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'V' })).json).relay).toBe(false);
    const statement = await signStatement(key.privateKey, { sub: owner.participant as string, aud: s.session }, relayOnly);
    expect((await post(server, `/api/sessions/${s.session}/control`, { statement }, { authorization: `Bearer ${owner.token as string}` })).status).toBe(200);
    expect(parseCredentialResponse((await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'V2' })).json).relay).toBe(true);
    expect((await post(server, `/api/sessions/${s.session}/refresh`, {}, { authorization: `Bearer ${editor.token as string}` })).json.relay).toBe(true);
  });

  it('refuses a relay-only statement where no TURN is configured', async () => {
    const s = await createSession(plain, 'host');
    const key = await makeOwnerKey();
    const owner = (await post(plain, `/api/sessions/${s.session}/join`, { invite: s.invites.owner, name: 'O', ck: key.jwk })).json;
    const statement = await signStatement(key.privateKey, { sub: owner.participant as string, aud: s.session }, { act: 'relay-only', sub: s.session });
    const r = await post(plain, `/api/sessions/${s.session}/control`, { statement }, { authorization: `Bearer ${owner.token as string}` });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'no-relay', error: expect.stringMatching(/--turn-url/) });
  });

  it('refuses a relay-only session where no TURN is configured, and a bad "relay"', async () => {
    const r = await post(plain, '/api/sessions', { role: 'host', name: 'H', relay: true });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'no-relay', error: expect.stringMatching(/--turn-url/) });
    const bad = await post(server, '/api/sessions', { role: 'host', name: 'H', relay: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/"relay" must be true or false/);
  });
});
