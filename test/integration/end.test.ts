/**
 * The end of a session is final, through real parts: a host that stops tells the signaling server,
 * whose links then say "This session has ended" and whose sockets close for good (no reconnects);
 * a host killed with kill -9 is noticed by the others within seconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { SILENT_MS } from '../../src/lib/mesh/mesh.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { startHostProcess, startSignalingProcess, stopAll } from '../helpers/processes.ts';
import { startStack } from '../helpers/stack.ts';
import { nextEvent, until } from '../helpers/wait.ts';

const peers: NodePeer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await stopAll();
  cleanupWebRTC();
});

function linkParts(link: string) {
  const url = new URL(link);
  const p = new URLSearchParams(url.hash.slice(1));
  return { base: url.origin, session: url.pathname.split('/').pop()!, invite: p.get('invite')!, key: p.get('key')! };
}

describe('the end of a session', () => {
  it('a host that stops ends it at the signaling server: links say so, sockets close for good', async () => {
    const stack = await startStack();
    try {
      const { invite, key } = stack.link('editor');
      const ed = await joinNodePeer(stack.server.url, stack.agent.session, invite, key, { name: 'Eddie' });
      peers.push(ed);
      await ed.peer('host');
      const ended = new Promise<void>((r) => ed.mesh.ended.on(() => r()));
      const bye = nextEvent(ed.mesh.peerGone.on, ({ peer }) => peer.claims.role === 'host', 'the host leaving');
      await stack.agent.dispose();
      expect((await bye).reason.kind).toBe('bye');
      await ended;
      // the links of the session now say it ended, with when and by whom
      await expect(new ApiClient(stack.server.url).join(stack.agent.session, { invite, name: 'Late' })).rejects.toMatchObject({
        status: 410,
        code: 'session-ended',
        message: expect.stringMatching(/This session has ended \(.* UTC, by test-host\)/)
      });
      await expect(new ApiClient(stack.server.url).refresh(stack.agent.session, ed.cred.token, { fp: ed.fingerprint })).rejects.toThrow(/has ended/);
      // no socket of that session comes back
      await new Promise((r) => setTimeout(r, 1500));
      expect(ed.mesh.signaling.status).toBe('offline');
    } finally {
      await stack.dispose();
    }
  });

  it('a host killed with kill -9 is noticed by the others within seconds', async () => {
    const signaling = await startSignalingProcess();
    const host = await startHostProcess(signaling.url);
    const { base, session, invite, key } = linkParts(host.links.editor);
    const ed = await joinNodePeer(base, session, invite, key, { name: 'Eddie' });
    peers.push(ed);
    await ed.peer('host', 30_000);
    const gone = nextEvent(ed.mesh.peerGone.on, ({ peer }) => peer.claims.role === 'host', 'the killed host noticed', 30_000);
    const t0 = Date.now();
    process.kill(host.process.pid!, 'SIGKILL');
    const { reason } = await gone;
    const ms = Date.now() - t0;
    console.log(`a host killed with -9 was noticed after ${ms} ms (${reason.detail})`);
    expect(reason.kind).toBe('lost');
    expect(ms).toBeLessThan(SILENT_MS + 3_000);
    await until(() => !ed.mesh.host, 'no host listed');
  });
});
