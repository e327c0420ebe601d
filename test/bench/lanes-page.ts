// The page side of lanes.ts. `installLanesPage` is serialized by Playwright and runs inside
// Chromium: only browser globals, `window.__bench` (dc-page.ts) and the sender source text that
// lanes.ts passes in (lanes-sender.ts, evaluated here so both sides run the same code).
//
// Bench wire (first byte as in protocol/frames.ts where it matters):
//   [0][1]            control: send one bulk message to Node now
//   [0][2]            control: one bulk message arrived whole
//   [0][3] bytes:u32  control: bulk bytes received so far (every ACK_EVERY_BYTES; 'window' design)
//   [1] seq:u32 …     echo reply (like terminal output)
//   [2] seq:u32 …     echo request (like terminal input)
//   [3] last:u8 …     a chunk of a bulk message (lanes.ts bulkFrames)
import type { Design, LaneSender, LaneSenderOptions } from './lanes-sender.ts';
import type { PageBench } from './dc-page.ts';

export interface LanesPage {
  /** opens the negotiated channels on connection `pairId`; the page's bulk message is `bulkBytes` */
  open(pairId: number, urgentId: number, bulkId: number, bulkBytes: number, frameBytes: number): Promise<void>;
  setDesign(design: Design, highBytes: number, lowBytes: number, bulkHighBytes: number, windowBytes: number): void;
  close(): void;
}

export function installLanesPage(senderSource: string): void {
  type W = { __bench: PageBench; __lanes: LanesPage };
  const w = window as unknown as W;
  const createLaneSender = (0, eval)(`(${senderSource})`) as (o: LaneSenderOptions) => LaneSender;
  let urgent: RTCDataChannel | null = null;
  let bulk: RTCDataChannel | null = null;
  let sender: LaneSender | null = null;
  let parts: Uint8Array[] = [];
  const ACK_EVERY_BYTES = 64 * 1024;
  let received = 0;
  let acked = 0;

  const onMessage = (e: MessageEvent) => {
    const b = new Uint8Array(e.data as ArrayBuffer);
    switch (b[0]) {
      case 0:
        if (b[1] === 1) for (const p of parts) sender!.send(p, 'bulk');
        else if (b[1] === 3) sender!.ack(new DataView(b.buffer).getUint32(2));
        return;
      case 2: {
        const reply = b.slice();
        reply[0] = 1;
        sender!.send(reply, 'urgent');
        return;
      }
      case 3:
        received += b.length;
        if (received - acked >= ACK_EVERY_BYTES || b[1] === 1) {
          acked = received;
          const ack = new Uint8Array(6);
          ack[1] = 3;
          new DataView(ack.buffer).setUint32(2, received);
          sender!.send(ack, 'urgent');
        }
        if (b[1] === 1) sender!.send(new Uint8Array([0, 2]), 'urgent');
        return;
    }
  };

  const channel = (pc: RTCPeerConnection, id: number) =>
    new Promise<RTCDataChannel>((resolve, reject) => {
      const ch = pc.createDataChannel(`lane-${id}`, { negotiated: true, id, ordered: true });
      ch.binaryType = 'arraybuffer';
      ch.onmessage = onMessage;
      ch.onerror = () => reject(new Error(`page channel ${id} failed`));
      if (ch.readyState === 'open') resolve(ch);
      else ch.onopen = () => resolve(ch);
    });

  w.__lanes = {
    async open(pairId, urgentId, bulkId, bulkBytes, frameBytes) {
      const pc = w.__bench.peerConnection(pairId);
      if (!pc) throw new Error(`no connection ${pairId}`);
      [urgent, bulk] = await Promise.all([channel(pc, urgentId), channel(pc, bulkId)]);
      // the same layout as lanes.ts bulkFrames: [3][last] then up to frameBytes - 2 bytes of the message
      const step = frameBytes - 2;
      parts = [];
      for (let at = 0; at < bulkBytes; at += step) {
        const n = Math.min(step, bulkBytes - at);
        const part = new Uint8Array(2 + n);
        part[0] = 3;
        part[1] = at + step >= bulkBytes ? 1 : 0;
        parts.push(part);
      }
    },
    setDesign(design, highBytes, lowBytes, bulkHighBytes, windowBytes) {
      sender?.dispose();
      received = acked = 0;
      sender = createLaneSender({ design, urgent: urgent!, bulk: bulk!, highBytes, lowBytes, bulkHighBytes, windowBytes });
    },
    close() {
      sender?.dispose();
      urgent?.close();
      bulk?.close();
    }
  };
}
