// One typist of the editor bench, in a process of its own: ten peers in one process measured that
// process's event loop (90 data channels' callbacks, the bench's own bookkeeping) more than the
// product. It joins the document — through our mesh (EditorClient over real data channels) or
// through a Hocuspocus relay (its provider over a WebSocket, as a y-websocket app does) — then, on
// "go START DURATION" on stdin, types CHARS_PER_S characters a second into the shared text from the
// wall-clock START for DURATION ms, as a person does: at its cursor, which jumps to a random place
// every MOVE_EVERY keys, and setting its selection in awareness after every key (as an editor's
// page does; each product decides what of that to send). It prints JSON lines: {"ready":true}, then
// {"sent":{id:t},"got":{id:t},"cpuMs":N,"loopP99Ms":N} — when each of its own edits was made and when
// each of the others' arrived, as wall-clock ms (timeOrigin + now), edits named "client:clock" by
// their Yjs id; the CPU it used while typing and its event loop's p99 delay. "stop" ends it.
// Usage: node test/bench/editor-typist.ts '<TypistConfig JSON>'
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as Y from 'yjs';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { EditorClient } from '../../src/lib/editor/editor-client.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { until } from '../helpers/wait.ts';
import { delayedPeerConnection, delayTcp, type DelayTcp } from './link-delay.ts';

export type TypistConfig = { index: number; charsPerS: number; peers: number } & (
  | { kind: 'ours'; base: string; session: string; invite: string; secret: string; delayMs: number }
  | { kind: 'hocuspocus'; port: number; delayMs: number }
);

const cfg = JSON.parse(process.argv[2]) as TypistConfig;
/** keys typed at one place before the cursor jumps elsewhere */
const MOVE_EVERY = 20;
const wall = () => performance.timeOrigin + performance.now();
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

let doc: Y.Doc;
let text: Y.Text;
let moveCursor: (index: number) => void;
let close: () => Promise<void>;
const LOCAL = 'typist';

if (cfg.kind === 'ours') {
  const RTC = cfg.delayMs ? delayedPeerConnection(cfg.delayMs) : undefined;
  const peer: NodePeer = await joinNodePeer(cfg.base, cfg.session, cfg.invite, cfg.secret, { name: `Typist${cfg.index + 1}`, RTCPeerConnection: RTC });
  const editor = new EditorClient(peer.mesh, peer.cred.role);
  await until(() => peer.mesh.peers.length === cfg.peers - 1, 'a full mesh', 60_000);
  doc = editor.doc;
  text = editor.notes;
  editor.setPresence({ user: { name: `Typist${cfg.index + 1}`, color: '#888', id: peer.cred.participant }, file: 'notes', sel: [] });
  moveCursor = (i) => {
    const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, i));
    editor.setPresence({ sel: [{ anchor: at, head: at }] });
  };
  close = async () => {
    editor.dispose();
    await peer.dispose();
    cleanupWebRTC();
  };
} else {
  let proxy: DelayTcp | null = null;
  if (cfg.delayMs) proxy = await delayTcp(cfg.port, cfg.delayMs);
  doc = new Y.Doc();
  const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${proxy?.port ?? cfg.port}`, name: 'bench', document: doc });
  await until(() => provider.synced, 'synced with Hocuspocus', 30_000);
  text = doc.getText('notes');
  provider.setAwarenessField('user', { name: `Typist${cfg.index + 1}`, color: '#888' });
  moveCursor = (i) => {
    const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, i));
    provider.setAwarenessField('sel', [{ anchor: at, head: at }]);
  };
  close = async () => {
    provider.destroy();
    await proxy?.close();
  };
}

const sent: Record<string, number> = {};
const got: Record<string, number> = {};
doc.on('update', (update: Uint8Array, origin: unknown) => {
  if (origin === LOCAL) return;
  const now = wall();
  for (const s of Y.decodeUpdate(update).structs) for (let k = 0; k < s.length; k++) got[`${s.id.client}:${s.id.clock + k}`] ??= now;
});

function type(start: number, durationMs: number): void {
  const letter = String.fromCharCode(97 + (cfg.index % 26));
  const cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let cursor: Y.RelativePosition | null = null;
  let keys = 0;
  const timer = setInterval(() => {
    if (wall() > start + durationMs) {
      clearInterval(timer);
      loop.disable();
      const used = process.cpuUsage(cpu);
      const report = { cpuMs: (used.user + used.system) / 1000, loopP99Ms: loop.percentile(99) / 1e6 };
      // the last edits' arrivals, then the report
      setTimeout(() => out({ sent, got, ...report }), 3000);
      return;
    }
    const here = cursor && Y.createAbsolutePositionFromRelativePosition(cursor, doc);
    const at = keys++ % MOVE_EVERY && here ? here.index : Math.floor(Math.random() * (text.length + 1));
    sent[`${doc.clientID}:${Y.getState(doc.store, doc.clientID)}`] = wall();
    doc.transact(() => text.insert(at, letter), LOCAL);
    // after the typed letter: anchored to the character that follows, so it stays while typing here
    cursor = Y.createRelativePositionFromTypeIndex(text, at + 1);
    moveCursor(at + 1);
  }, 1000 / cfg.charsPerS);
}

out({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'go') setTimeout(() => type(Number(a), Number(b)), Math.max(0, Number(a) - wall()));
  if (cmd === 'stop') break;
}
await close();
process.exit(0);
