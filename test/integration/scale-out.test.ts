/**
 * Two signaling instances (real processes, `--redis`) on a real redis-server, a balancer in front:
 * the host agent comes in through the balancer (it lands on A), a participant joins through B,
 * they share one session over the real mesh. Kill A: the host's signaling reconnects through the
 * balancer to B, the participant keeps typing meanwhile (peer to peer), and a newcomer joining
 * through B after A died reaches the host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { startBalancer, type Balancer } from '../helpers/tcp-balancer.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { until } from '../helpers/wait.ts';

let redis: RedisServer;
let a: SignalingProcess;
let b: SignalingProcess;
let lb: Balancer;
let host: HostProcess;
const peers: NodePeer[] = [];

const portOf = (url: string) => Number(new URL(url).port);
function linkParts(link: string): { invite: string; key: string } {
  const p = new URLSearchParams(new URL(link).hash.slice(1));
  return { invite: p.get('invite')!, key: p.get('key')! };
}
async function joinThroughB(role: 'editor' | 'viewer', name: string): Promise<NodePeer> {
  const { invite, key } = linkParts(host.links[role]);
  const p = await joinNodePeer(b.url, host.session, invite, key, { name });
  peers.push(p);
  await p.peer('host', 30_000);
  return p;
}

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([startSignalingProcess({ args: ['--redis', redis.url] }), startSignalingProcess({ args: ['--redis', redis.url] })]);
  lb = await startBalancer([{ host: '127.0.0.1', port: portOf(a.url) }, { host: '127.0.0.1', port: portOf(b.url) }]);
  host = await startHostProcess(lb.url, { shell: '/bin/bash' });
  await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online');
}, 60_000);
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await lb?.close();
  await stopAll();
  cleanupWebRTC();
});

describe('scale-out over Redis', () => {
  it('host on A, participant on B share a session; A killed, the host reconnects through B and the mesh goes on', async () => {
    const ed = { p: await joinThroughB('editor', 'Edna') };
    await until(() => ed.p.terminals.terminals.length > 0, "Edna's terminal list");
    const term = ed.p.terminals.terminals[0].id;
    const screen = new TermScreen(ed.p.terminals, term);
    await until(() => screen.snapshots.length > 0, "Edna's first snapshot");
    ed.p.terminals.input(term, 'echo before-$((20+1))\r');
    await screen.waitFor(/before-21/);

    const since = host.process.stdout.length;
    a.process.child.kill('SIGKILL');
    await a.process.exited;
    await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'offline', 30_000, since);
    // peer to peer: typing goes on while the host has no signaling at all
    ed.p.terminals.input(term, 'echo during-$((20+2))\r');
    await screen.waitFor(/during-22/);
    await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online', 30_000, since);

    // a newcomer through B reaches the host, which now signals through B
    const vi = { p: await joinThroughB('viewer', 'Vick') };
    const viScreen = new TermScreen(vi.p.terminals, term);
    await until(() => viScreen.snapshots.length > 0, "Vick's first snapshot", 30_000);
    ed.p.terminals.input(term, 'echo after-$((20+3))\r');
    await viScreen.waitFor(/after-23/, 20_000);
  }, 120_000);
});
