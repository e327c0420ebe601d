/**
 * A participant in its own process, to be started inside a NatLab network: joins with a link
 * through the product's mesh, and prints one JSON line per event on stdout:
 *   {"event":"joined","role":"host","path":{kind,transport,rttMs}}  once the host is admitted (path read from getStats)
 *   {"event":"unreachable","detail":"…"}                            a connection that never opened, and why
 *   {"event":"received","text":"…"}                                  each description or candidate it received
 * Usage: node test/helpers/nat-peer.ts LINK
 */
import { readLink } from '../../src/lib/protocol/links.ts';
import { cleanupWebRTC, NodeRTCPeerConnection } from '../../host-agent/webrtc.ts';
import { settledPath } from '../../src/lib/mesh/path-watcher.ts';
import { joinNodePeer } from './node-peer.ts';
import { recordingPeerConnection } from './recording-pc.ts';

const url = new URL(process.argv[2]);
const link = readLink(url.pathname.split('/').pop() ?? '', url.hash);
const print = (o: object) => console.log(JSON.stringify(o));
const peer = await joinNodePeer(url.origin, link.session, link.invite, link.key, { name: 'NAT peer', RTCPeerConnection: recordingPeerConnection(NodeRTCPeerConnection, (text) => print({ event: 'received', text })) });
peer.mesh.unreachable.on(({ detail }) => print({ event: 'unreachable', detail }));
process.on('SIGTERM', async () => {
  await peer.dispose();
  cleanupWebRTC();
  process.exit(0);
});
const host = await peer.peer('host', 60_000);
print({ event: 'joined', role: host.claims.role, path: await settledPath(host) });
