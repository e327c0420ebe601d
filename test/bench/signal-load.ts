// One worker thread of the signal bench's load generator (signal.ts relayRate): it opens its share
// of publisher/subscriber pairs, says ready, and on `go` sends every publisher's burst (one
// pre-encoded text frame body each, written corked so a burst leaves in a few segments) and counts
// what its subscribers receive, without parsing. Several of these keep the generator from being
// the limit on a 2-core machine.
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { SIGNAL_SUBPROTOCOL } from '../../src/lib/protocol/signaling.ts';

export interface LoadPair {
  topic: string;
  pubUrl: string;
  subUrl: string;
  /** credentials (ours); absent for y-webrtc */
  pubToken?: string;
  subToken?: string;
}
export interface LoadWorkerData {
  pairs: LoadPair[];
  burst: number;
  msgBytes: number;
}
export type ToLoadWorker = { type: 'go' } | { type: 'stop' };
export type FromLoadWorker = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'done'; got: number };

/** An open socket, subscribed to `topic` when asked (the pong proves the subscribe was handled). */
function open(url: string, topic: string, token: string | undefined, subscribe: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + (token ? '/signal' : '/'), token ? [SIGNAL_SUBPROTOCOL, token] : undefined, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('open', () => {
      if (subscribe) ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
      ws.send(JSON.stringify({ type: 'ping' }));
      const onPong = (d: Buffer) => {
        if (!d.includes('"pong"')) return;
        ws.off('message', onPong);
        resolve(ws);
      };
      ws.on('message', onPong);
    });
  });
}

const { pairs, burst, msgBytes } = workerData as LoadWorkerData;
const port = parentPort!;
const post = (m: FromLoadWorker) => port.postMessage(m);

const data = 'x'.repeat(msgBytes);
const opened: { pub: WebSocket; sub: WebSocket; frame: Buffer }[] = [];
try {
  for (const p of pairs) {
    // publishers do not subscribe: y-webrtc would echo every publish back to its sender, ours does not
    const [pub, sub] = await Promise.all([open(p.pubUrl, p.topic, p.pubToken, false), open(p.subUrl, p.topic, p.subToken, true)]);
    opened.push({ pub, sub, frame: Buffer.from(JSON.stringify({ type: 'publish', topic: p.topic, data })) });
  }
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'failed', message: (e as Error).message });
}

const total = pairs.length * burst;
let got = 0;
let reported = false;
const report = () => {
  if (reported) return;
  reported = true;
  post({ type: 'done', got });
};
for (const { sub } of opened) sub.on('message', () => ++got === total && report());

port.on('message', (m: ToLoadWorker) => {
  if (m.type === 'go') {
    for (const { pub, frame } of opened) {
      // (ws has no cork of its own: corking its socket coalesces the burst's frames into few writes)
      const socket = (pub as unknown as { _socket: import('node:net').Socket })._socket;
      socket.cork();
      for (let k = 0; k < burst; k++) pub.send(frame, { binary: false });
      socket.uncork();
    }
  } else {
    report();
    for (const { pub, sub } of opened) pub.terminate(), sub.terminate();
    port.close();
  }
});
