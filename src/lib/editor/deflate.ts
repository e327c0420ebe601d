/**
 * deflate-raw for a file document's bulk messages (file-sync2, file-big): a 5-MB source file is a
 * fraction of that on the wire, so it is through the bulk lane's window in a few round trips
 * instead of dozens. CompressionStream exists in browsers and in Node (zlib, off the main thread).
 */
import { inflateRaw } from '../protocol/inflate.ts';

/** The largest text a file document's bulk message may inflate to, bytes (a bomb stops here). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export async function deflate(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(through(new CompressionStream('deflate-raw'), data)).arrayBuffer());
}

/** `data` written into `stream`, and what comes out of it. Not through a Blob: in Chromium a Blob's
 * bytes go to the browser process first (~6 ms per file slice on the page's main thread, ~0.4 s of
 * a 5-MB file's opening in a profile). */
function through(stream: CompressionStream | DecompressionStream, data: Uint8Array): ReadableStream<Uint8Array> {
  const writer = stream.writable.getWriter();
  // (a failure shows on the readable side, where it is awaited)
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  return stream.readable;
}

/** Throws on data that is not deflate-raw, or that inflates to more than `max` bytes. */
export const inflate = (data: Uint8Array, max = MAX_INFLATED_BYTES): Promise<Uint8Array> => inflateRaw(data, max);
