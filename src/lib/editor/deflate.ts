/**
 * deflate-raw for a file document's bulk messages (file-sync2, file-big): a 5-MB source file is a
 * fraction of that on the wire, so it is through the bulk lane's window in a few round trips
 * instead of dozens. CompressionStream exists in browsers and in Node (zlib, off the main thread).
 */
import { inflateRaw } from '../protocol/inflate.ts';

/** The largest text a file document's bulk message may inflate to, bytes (a bomb stops here). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Throws on data that is not deflate-raw, or that inflates to more than `max` bytes. */
export const inflate = (data: Uint8Array, max = MAX_INFLATED_BYTES): Promise<Uint8Array> => inflateRaw(data, max);
