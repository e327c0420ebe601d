/**
 * A participant in a process of its own, so a test can freeze it (SIGSTOP) like a peer whose
 * machine stalled. Joins with an invite, follows one terminal and prints one JSON line per event
 * on stdout: {"ready":true}, then {"bytes":N,"text":"<last 200 chars>"} every 100 ms.
 * Usage: node test/helpers/peer-process.ts BASE SESSION INVITE KEY TERMINAL_ID
 */
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer } from './node-peer.ts';
import { TermScreen } from './term-screen.ts';
import { until } from './wait.ts';

const [base, session, invite, key, term] = process.argv.slice(2);
const peer = await joinNodePeer(base, session, invite, key, { name: 'Stalled Steve' });
await peer.peer('host', 30_000);
const t = new TermScreen(peer.terminals, Number(term));
await until(() => t.snapshots.length > 0, 'the first snapshot', 30_000);
console.log(JSON.stringify({ ready: true }));
setInterval(() => console.log(JSON.stringify({ bytes: t.text.length, text: t.text.slice(-200) })), 100);
process.on('SIGTERM', async () => {
  await peer.dispose();
  cleanupWebRTC();
  process.exit(0);
});
