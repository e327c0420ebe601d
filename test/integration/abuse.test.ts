/**
 * Attacks by a participant, through real parts (signaling server, host agent with a real PTY, Node
 * peers over real data channels): each checks that the attacker is limited or dropped, that an
 * editor's echo stays normal meanwhile, and that the host's memory stays bounded.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { PEER_BUDGET } from '../../src/lib/mesh/budget.ts';
import { MAX_PEERS, MAX_PENDING } from '../../src/lib/mesh/mesh.ts';
import { Peer } from '../../src/lib/mesh/peer.ts';
import { roomKey, seal } from '../../src/lib/mesh/room-crypto.ts';
import { SignalingClient } from '../../src/lib/mesh/signaling-client.ts';
import { NodeRTCPeerConnection } from '../../host-agent/webrtc.ts';
import { useStack, type Follower } from '../helpers/stack.ts';
import { spawnProcess, stopAll } from '../helpers/processes.ts';
import { nextEvent, until } from '../helpers/wait.ts';

const stack = useStack();
const disposers: (() => void)[] = [];

/** One echo: ms from typing a fresh token to seeing it on the editor's screen. */
async function echoMs(ed: Follower, n: number): Promise<number> {
  const token = `k${n}q${Math.random().toString(36).slice(2, 6)}`;
  const t0 = performance.now();
  ed.type(token);
  const end = Date.now() + 20_000;
  // polled every ms (until() polls every 20 ms, too coarse for an echo)
  while (!ed.t.live.includes(token) && !ed.t.text.includes(token)) {
    if (Date.now() > end) throw new Error(`no echo of ${token}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const ms = performance.now() - t0;
  if (n % 10 === 9) ed.type('\x15'); // clear the line now and then
  return ms;
}

function p50(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
}

async function echoes(ed: Follower, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await echoMs(ed, i));
  return out;
}

const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

afterAll(async () => {
  await stopAll();
  for (const d of disposers) d();
});

describe('a participant attacking the session', () => {
  /** A viewer in its own process, flooding the host with `count` copies of one message. */
  async function attacker(attack: 'sub' | 'input', count: number) {
    const { invite, key } = stack.link('viewer');
    const term = stack.agent.terminals.list()[0].id;
    const child = spawnProcess(process.execPath, ['test/helpers/attacker-process.ts', stack.server.url, stack.agent.session, invite, key, String(term), attack, String(count)]);
    const id = (await child.waitForLine(/"ready":true,"id":"([^"]+)"/, 30_000))[1];
    await until(() => stack.agent.mesh.peers.some((p) => p.id === id), 'the host to admit the attacker');
    const gone = nextEvent(stack.agent.mesh.peerGone.on, ({ peer }) => peer.id === id, 'the attacker dropped', 20_000);
    return { child, id, gone, go: () => process.kill(child.pid!, 'SIGUSR2') };
  }

  it("a viewer's flood of terminal subs costs the host a few snapshots, drops the viewer, and the editor's echo stays normal", async () => {
    const ed = await stack.follow('editor', 'Echo');
    const normal = await echoes(ed, 40);
    const a = await attacker('sub', 3000);
    let accepted = 0;
    const counting = stack.agent.mesh.router.tapped.on((r) => r.peer.id === a.id && r.msg.type === 'sub' && accepted++);
    const snapshots0 = stack.agent.hub.stats.snapshots;
    const rss0 = rssMb();
    a.go();
    await a.child.waitForLine(/"sent":3000/);
    const during = await echoes(ed, 40);
    expect((await a.gone).reason).toMatchObject({ kind: 'removed' });
    counting.dispose();
    const rss = rssMb() - rss0;
    const snapshots = stack.agent.hub.stats.snapshots - snapshots0;
    console.log(`sub flood: echo p50 normal ${p50(normal).toFixed(1)} ms, under attack ${p50(during).toFixed(1)} ms`);
    console.log(`sub flood: echo p99 normal ${p99(normal).toFixed(1)} ms, under attack ${p99(during).toFixed(1)} ms; subs accepted ${accepted}, snapshots sent ${snapshots}; host rss +${rss.toFixed(0)} MB`);
    // the budget let about a burst through; the hub merged it into a few snapshots
    expect(accepted).toBeLessThan(PEER_BUDGET.messages.burst * 1.5);
    expect(snapshots).toBeLessThanOrEqual(4);
    // typical echo within 2x; the worst one far from the 12 s the flood used to cause (one sample
    // of 40 can be hit by whatever else the machine does, so the p99 bound is loose)
    expect(p50(during)).toBeLessThan(Math.max(2 * p50(normal), 20));
    expect(p99(during)).toBeLessThan(1000);
    expect(rss).toBeLessThan(100);
    // the dropped viewer is not taken back (its process keeps trying)
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.agent.mesh.peers.some((p) => p.id === a.id)).toBe(false);
    await echoMs(ed, 0);
  });

  it("refused input is a strike: a viewer's flood is dropped and leaves a few coalesced audit records", async () => {
    const ed = await stack.follow('editor', 'Echo2');
    const a = await attacker('input', 3000);
    a.go();
    expect((await a.gone).reason).toMatchObject({ kind: 'removed' });
    await echoMs(ed, 0);
    const records = () =>
      readFileSync(stack.agent.audit.path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((e) => e.kind === 'refused' && e.who.id === a.id);
    await until(() => records().length >= 2, 'the coalesced audit record');
    expect(records().length).toBeLessThanOrEqual(3);
    expect(records()[1]).toMatchObject({ what: 'terminal input', count: expect.any(Number) });
    expect(stack.hostLog.filter((l) => l.includes(a.id)).length).toBeLessThan(10);
  });

  it('offers that never say hello cannot keep a newcomer out', async () => {
    const { invite, key } = stack.link('viewer');
    const api = new ApiClient(stack.server.url);
    const session = stack.agent.session;
    const cryptoKey = await roomKey(key, session);
    const fakes = 40;
    expect(fakes).toBeGreaterThan(MAX_PEERS);
    // 40 participants (each a real credential from the viewer link) offer a connection and never say hello
    await Promise.all(
      Array.from({ length: fakes }, async (_, i) => {
        const cred = await api.join(session, { invite, name: `ghost${i}` });
        let peer: Peer | null = null;
        const sc: SignalingClient = new SignalingClient({
          url: `${stack.server.url.replace(/^http/, 'ws')}/signal`,
          session,
          token: () => cred.token,
          onOpen: () => {
            peer ??= new Peer(stack.agent.mesh.selfId, {
              RTCPeerConnection: NodeRTCPeerConnection,
              initiator: true,
              cid: `ghost${i}`,
              signal: (s) => {
                if (s.type !== 'description') return; // no candidates: the connection can never open
                void seal(cryptoKey, JSON.stringify({ ...s, from: cred.participant, to: stack.agent.mesh.selfId, cid: `ghost${i}` })).then((d) => sc.publish(d));
              },
              onOpen: () => {},
              onMessage: () => {},
              onBadFrame: () => {},
              onClose: () => {}
            });
          },
          onPublish: () => {},
          onStatus: () => {}
        });
        disposers.push(() => {
          sc.dispose();
          peer?.close({ kind: 'bye', detail: 'test over' });
        });
      })
    );
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const newcomer = await stack.follow('editor', 'Newcomer');
    console.log(`newcomer admitted ${Date.now() - t0} ms after ${fakes} offers that never said hello (pending cap ${MAX_PENDING})`);
    expect(Date.now() - t0).toBeLessThan(8_000);
    await echoMs(newcomer, 0);
  });
});
