import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { ApiClient } from '../src/lib/mesh/api-client.ts';
import { Invites } from './invites.ts';
import { startSignaling, type SignalingServer } from './server.ts';
import { createSession } from './testing.ts';

let server: SignalingServer;
beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
});
afterAll(() => server.close());

describe('invites', () => {
  it('an owner makes links with a role and a number of uses, lists them and revokes them; revocation stops joins at once', async () => {
    const api = new ApiClient(server.url);
    const s = await createSession(server);
    const { invite, info } = await api.createInvite(s.session, s.token, { role: 'viewer', ttl: 3600, uses: 2 });
    expect(info).toMatchObject({ role: 'viewer', usesLeft: 2, revoked: false, by: 'Creator' });
    const a = await api.join(s.session, { invite, name: 'A' });
    expect(a.role).toBe('viewer');
    expect((await localVerifier(server.keys.jwks())(a.token, s.session)).inv).toBe(info.id);
    await api.join(s.session, { invite, name: 'B' });
    await expect(api.join(s.session, { invite, name: 'C' })).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/used as many times/) });
    expect((await api.invites(s.session, s.token)).find((i) => i.id === info.id)).toMatchObject({ usesLeft: 0 });

    // the default editor link, revoked: nobody joins with it any more; the others still work
    await api.revokeInvite(s.session, s.token, 'editor');
    await expect(api.join(s.session, { invite: s.invites.editor, name: 'E' })).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/revoked/) });
    expect((await api.join(s.session, { invite: s.invites.viewer, name: 'V' })).role).toBe('viewer');
    const list = await api.invites(s.session, s.token);
    expect(list.find((i) => i.id === 'editor')).toMatchObject({ revoked: true });

    // only owners manage invites
    const v = await api.join(s.session, { invite: s.invites.viewer, name: 'W' });
    await expect(api.createInvite(s.session, v.token, { role: 'owner', ttl: 3600 })).rejects.toMatchObject({ status: 403 });
    await expect(api.invites(s.session, v.token)).rejects.toMatchObject({ status: 403 });
  });

  it('an invite expires after its lifetime', () => {
    const inv = new Invites();
    const { secret } = inv.create('s1', 'editor', 60, null, 'O', 0);
    expect(inv.take('s1', secret, 59_000)).toMatchObject({ role: 'editor' });
    expect(inv.take('s1', secret, 61_000)).toMatchObject({ refused: expect.stringMatching(/expired/) });
    expect(inv.take('s2', secret, 1_000)).toBeUndefined();
  });
});
