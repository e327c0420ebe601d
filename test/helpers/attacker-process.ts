/**
 * An abusive participant in a process of its own, so the flood's own cost (encoding and sending
 * thousands of messages) does not land on the process that measures the others' echo. Joins with
 * an invite, waits for the host, prints {"ready":true,"id":…}; then floods the host with COUNT copies of
 * one message (ATTACK: `sub` — subscribe to terminal TERMINAL_ID, `input` — type into it) and
 * prints {"sent":N} on SIGUSR2; prints {"gone":"<kind>"} when the host drops it.
 * Usage: node test/helpers/attacker-process.ts BASE SESSION INVITE KEY TERMINAL_ID ATTACK COUNT
 */
import { terminalProtocol } from '../../src/lib/protocol/terminal.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer } from './node-peer.ts';

const [base, session, invite, key, term, attack, count] = process.argv.slice(2);
const peer = await joinNodePeer(base, session, invite, key, { name: 'Mallory' });
const host = await peer.peer('host', 30_000);
peer.mesh.peerGone.on(({ peer: p, reason }) => p === host && console.log(JSON.stringify({ gone: reason.kind })));
const id = Number(term);
const msg =
  attack === 'sub' || attack === 'steady-sub'
    ? terminalProtocol.write({ type: 'sub', id })
    : terminalProtocol.write({ type: 'input', id, data: new TextEncoder().encode('rm -rf ~\r') });
process.once('SIGUSR2', () => {
  if (attack === 'steady-sub') {
    const sub = terminalProtocol.write({ type: 'sub', id });
    setInterval(() => {
      for (let i = 0; i < Number(count) / 10; i++) host.sendEncoded(sub);
    }, 100);
    return void console.log(JSON.stringify({ steady: true }));
  }
  let sent = 0;
  for (; sent < Number(count); sent++) host.sendEncoded(msg);
  console.log(JSON.stringify({ sent }));
});
console.log(JSON.stringify({ ready: true, id: peer.cred.participant }));
process.on('SIGTERM', async () => {
  await peer.dispose();
  cleanupWebRTC();
  process.exit(0);
});
