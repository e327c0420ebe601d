/**
 * A `lines` message as the host sends it: packed (byte 14), and deflated (byte 15) when it is
 * large enough to be worth it (protocol/log-lines.ts). Deflate's fastest level is ~0.3 µs a line;
 * it takes a flood's message from ~61 to ~6 bytes a line (the bench's), so the bulk lane's window
 * bounds ten times the lines.
 */
import { deflateRawSync } from 'node:zlib';
import { MIN_DEFLATE_BYTES, writeDeflatedLines, writeLines, type LinesMessage } from '../../src/lib/protocol/log-lines.ts';

export function packLines(m: LinesMessage): Uint8Array {
  const plain = writeLines(m);
  if (plain.length < MIN_DEFLATE_BYTES) return plain;
  // the body after the capability byte
  const deflated = deflateRawSync(plain.subarray(1), { level: 1 });
  return deflated.length + 2 < plain.length ? writeDeflatedLines(deflated) : plain;
}
