import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '../protocol/api.ts';
import { localVerifier } from '../protocol/credentials.ts';
import { startSignaling, type SignalingServer } from '../../../signaling/server.ts';
import { unusedPort } from '../../../test/helpers/ports.ts';
import { ApiClient } from './api-client.ts';
import { Credential } from './credential.ts';

let server: SignalingServer;
beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
});
afterAll(() => server.close());

async function create(): Promise<CreateSessionResponse> {
  return new ApiClient(server.url).createSession({ role: 'owner', name: 'Olga', fp: 'AA:BB' });
}

describe('Credential', () => {
  it('refreshes the credential with the current name, keeps it bound, and tells listeners', async () => {
    const created = await create();
    const c = new Credential(new ApiClient(server.url), created, 'AA:BB');
    const seen: string[] = [];
    c.refreshed.on((t) => seen.push(t));
    c.name = 'Olga Renamed';
    expect(await c.refresh()).toBe(true);
    expect(seen).toEqual([c.token]);
    expect(c.token).not.toBe(created.token);
    const claims = await localVerifier(server.keys.jwks())(c.token, created.session);
    expect(claims).toMatchObject({ sub: created.participant, role: 'owner', name: 'Olga Renamed', fp: 'AA:BB' });
    c.dispose();
  });

  it('new connections get the TURN credentials of the latest refresh, and the relay policy of a relay-only session', async () => {
    const turn = await startSignaling({ port: 0, staticDir: null, log: () => {}, turn: { turnUrls: ['turn:192.0.2.1:3478'], stunUrls: [], secret: 'a-secret-long-enough-for-coturn', ttlS: 600 } });
    try {
      const api = new ApiClient(turn.url);
      const created = await api.createSession({ role: 'host', name: 'H', fp: 'AA:BB', relay: true });
      // as if minted a second earlier, so the refreshed one must differ
      const c = new Credential(api, { ...created, ice: [{ ...created.ice[0], username: '1:stale' }] }, 'AA:BB');
      expect(c.rtcConfig().iceServers?.[0].username).toBe('1:stale');
      expect(await c.refresh()).toBe(true);
      const config = c.rtcConfig({ bundlePolicy: 'max-bundle' });
      expect(config).toMatchObject({ iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle' });
      expect(config.iceServers?.[0].username).toMatch(new RegExp(`^\\d+:${created.participant}$`));
      c.dispose();
    } finally {
      await turn.close();
    }
  });

  it('reports a failed refresh (server unreachable) without throwing, and keeps the old token', async () => {
    const created = await create();
    const c = new Credential(new ApiClient(`http://127.0.0.1:${await unusedPort()}`), created, 'AA:BB');
    expect(await c.refresh()).toBe(false);
    expect(c.token).toBe(created.token);
    c.dispose();
  });
});
