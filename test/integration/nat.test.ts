/**
 * Across simulated NATs (test/helpers/nat-lab.ts): signaling and a real coturn on the "public"
 * network, the host agent behind one home router, a participant (a Node peer process) behind
 * another. Which path the connection takes is read from the selected ICE pair on both ends.
 * (Behind a symmetric NAT, see test/e2e/nat.e2e.ts: Chromium there. node-datachannel's ICE agent
 * (libjuice) gets 400 from coturn for its channel binds when it mixes relay and non-relay pairs,
 * so two Node peers do not reach each other through the relay there; relay-only ones do.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { NatLab } from '../helpers/nat-lab.ts';
import { startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type ManagedProcess, type SignalingProcess } from '../helpers/processes.ts';
import { leakedAddresses } from '../helpers/recording-pc.ts';
import { REPO_ROOT } from '../helpers/processes.ts';
import { join } from 'node:path';

const NAT_PEER = join(REPO_ROOT, 'test/helpers/nat-peer.ts');

let lab: NatLab;
let coturn: Coturn;
/** STUN only; TURN with the right secret; TURN with a wrong one */
let stunOnly: SignalingProcess;
let withTurn: SignalingProcess;
let badSecret: SignalingProcess;

type PeerEvent = { event: 'joined'; path: { kind: string; transport: string; rttMs: number | null } } | { event: 'unreachable'; detail: string } | { event: 'received'; text: string };

function events(p: ManagedProcess): PeerEvent[] {
  return p.stdout.flatMap((l) => {
    try {
      return [JSON.parse(l) as PeerEvent];
    } catch {
      return [];
    }
  });
}

async function peerEvent<E extends PeerEvent['event']>(p: ManagedProcess, kind: E, ms = 30_000): Promise<Extract<PeerEvent, { event: E }>> {
  const find = () => events(p).find((e) => e.event === kind) as Extract<PeerEvent, { event: E }> | undefined;
  await p.waitForLine(new RegExp(`"event":"${kind}"`), ms, 'stdout');
  return find()!;
}

/** The host in lan `hostLan`, a participant in lan `peerLan`, through `signaling`. */
async function session(signaling: SignalingProcess, hostLan: string, peerLan: string, hostArgs: string[] = []) {
  const host = await startHostProcess(signaling.url, { run: lab.in(hostLan), shell: '/bin/sh', args: hostArgs });
  const peer = lab.spawn(peerLan, process.execPath, [NAT_PEER, host.links.editor]);
  return { host, peer };
}

beforeAll(async () => {
  lab = await NatLab.start({ a: 'cone', b: 'cone' });
  coturn = await startCoturn({ ip: lab.publicIp, spawn: (c, a) => lab.spawn('public', c, a) });
  const run = lab.in('public');
  const common = ['--host', lab.publicIp, '--no-state'];
  stunOnly = await startSignalingProcess({ run, args: [...common, '--stun-url', coturn.stunUrl] });
  withTurn = await startSignalingProcess({ run, args: [...common, '--stun-url', coturn.stunUrl, ...coturn.turnUrls.flatMap((u) => ['--turn-url', u]), `--turn-secret=${coturn.secret}`] });
  badSecret = await startSignalingProcess({ run, args: [...common, ...coturn.turnUrls.flatMap((u) => ['--turn-url', u]), '--turn-secret', 'not-the-secret-coturn-has'] });
});

afterAll(async () => {
  await stopAll();
  cleanupWebRTC();
});

describe('across NATs', () => {
  it('both behind endpoint-independent NATs: direct, through the addresses STUN found', async () => {
    const { host, peer } = await session(stunOnly, 'a', 'b');
    const joined = await peerEvent(peer, 'joined');
    expect(joined.path.kind).toBe('stun');
    const hostSide = await waitForHostEvent(host, (e) => e.event === 'path');
    expect(hostSide).toMatchObject({ kind: 'stun' });
    await Promise.all([peer.stop(), host.stop()]);
  });

  it('relay-only: works, and nothing a peer receives names a private or NAT address', async () => {
    const { host, peer } = await session(withTurn, 'a', 'b', ['--relay-only']);
    const joined = await peerEvent(peer, 'joined');
    expect(joined.path.kind).toBe('relay');
    const received = events(peer).filter((e) => e.event === 'received').map((e) => (e as { text: string }).text);
    expect(received.length).toBeGreaterThan(0);
    expect(received.join('\n')).toContain(`${lab.publicIp} `);
    expect(leakedAddresses(received, lab.publicIp)).toEqual([]);
    for (const ip of [lab.lan('a').ip, lab.lan('a').routerIp]) expect(received.join('\n')).not.toContain(ip);
    await Promise.all([peer.stop(), host.stop()]);
  });

  it('relay-only with credentials coturn refuses: the peer is told why it cannot connect', async () => {
    const { host, peer } = await session(badSecret, 'a', 'b', ['--relay-only']);
    const failed = await peerEvent(peer, 'unreachable');
    expect(failed.detail).toMatch(/TURN relay/);
    expect(events(peer).some((e) => e.event === 'joined')).toBe(false);
    await Promise.all([peer.stop(), host.stop()]);
  });
});
