// The sender designs compared by lanes.ts. `createLaneSender` is self-contained (no imports, no
// module constants) because the page side runs the very same function: lanes.ts passes its source
// text to the page. Every design keeps peer.ts's discipline: hand frames to a channel only while its
// bufferedAmount is below the high mark, resume on `bufferedamountlow`.
//
//   fifo     one channel, one queue: a small frame waits behind every frame queued before it
//   prio     one channel, two queues: urgent frames go before queued bulk frames (not before what
//            the channel already buffers)
//   prio-low as prio, but bulk frames stop at a lower high mark (bulkHighBytes), so less bulk
//            sits in bufferedAmount ahead of an urgent frame
//   two      two channels on the same connection (urgent, bulk), each with its own queue
//   two-low  as two, but the bulk channel stops at bulkHighBytes (low mark a quarter of it)
//   window   as prio, and at most windowBytes of bulk not yet acknowledged by the receiver (it
//            acks every few frames): bounds the bulk buffered anywhere on the path, including
//            buffers bufferedAmount does not show (usrsctp's send buffer in libdatachannel).
//            The product's design (src/lib/mesh/outbox.ts); two channels with the same window
//            measured worse from Node (p99 135–206 ms against 17–27 ms)

export type Lane = 'urgent' | 'bulk';
export type Design = 'fifo' | 'prio' | 'prio-low' | 'two' | 'two-low' | 'window';

export interface LaneSenderOptions {
  design: Design;
  urgent: RTCDataChannel;
  /** used by 'two' and 'two-low' only */
  bulk: RTCDataChannel;
  highBytes: number;
  lowBytes: number;
  /** 'prio-low', 'two-low': bulk frames stop above this; the low mark becomes a quarter of it */
  bulkHighBytes: number;
  /** 'window' only: most bulk bytes sent and not yet acknowledged */
  windowBytes: number;
}

export interface LaneSender {
  send(frame: Uint8Array, lane: Lane): void;
  /** the receiver has `bytes` of bulk in total (its running count) */
  ack(bytes: number): void;
  /** bytes in our queues (not counting bufferedAmount) */
  readonly queued: number;
  dispose(): void;
}

export function createLaneSender(o: LaneSenderOptions): LaneSender {
  type Outlet = { dc: RTCDataChannel; high: number; urgent: Uint8Array[]; bulk: Uint8Array[]; onLow: () => void };
  const prio = o.design === 'prio' || o.design === 'prio-low' || o.design === 'window';
  const two = o.design === 'two' || o.design === 'two-low';
  const windowBytes = o.design === 'window' ? o.windowBytes : Infinity;
  let bulkSent = 0;
  let bulkAcked = 0;
  const bulkHigh = o.design === 'prio-low' ? o.bulkHighBytes : o.highBytes;
  const low = o.design === 'prio-low' ? o.bulkHighBytes / 4 : o.lowBytes;
  let queued = 0;
  const flush = (out: Outlet) => {
    const dc = out.dc;
    if (dc.readyState !== 'open') return;
    while (out.urgent.length && dc.bufferedAmount < out.high) {
      const f = out.urgent.shift()!;
      queued -= f.length;
      dc.send(f as Uint8Array<ArrayBuffer>);
    }
    while (!out.urgent.length && out.bulk.length && dc.bufferedAmount < bulkHigh && bulkSent - bulkAcked < windowBytes) {
      const f = out.bulk.shift()!;
      queued -= f.length;
      bulkSent += f.length;
      dc.send(f as Uint8Array<ArrayBuffer>);
    }
  };
  const outlet = (dc: RTCDataChannel, high: number, low: number): Outlet => {
    const out: Outlet = { dc, high, urgent: [], bulk: [], onLow: () => flush(out) };
    dc.bufferedAmountLowThreshold = low;
    dc.addEventListener('bufferedamountlow', out.onLow);
    return out;
  };
  const main = outlet(o.urgent, o.highBytes, low);
  const second = !two ? null : o.design === 'two-low' ? outlet(o.bulk, o.bulkHighBytes, o.bulkHighBytes / 4) : outlet(o.bulk, o.highBytes, low);
  return {
    send(frame, lane) {
      const out = second && lane === 'bulk' ? second : main;
      // fifo and two: one queue per channel (the `urgent` array); prio: one queue per lane
      (prio && lane === 'bulk' ? out.bulk : out.urgent).push(frame);
      queued += frame.length;
      flush(out);
    },
    ack(bytes) {
      bulkAcked = bytes;
      flush(main);
    },
    get queued() {
      return queued;
    },
    dispose() {
      for (const out of second ? [main, second] : [main]) out.dc.removeEventListener('bufferedamountlow', out.onLow);
    }
  };
}
