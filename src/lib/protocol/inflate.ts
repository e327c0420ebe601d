/**
 * deflate-raw inflation with a bound, for bodies sent compressed (log lines, file documents).
 * DecompressionStream exists in browsers and in Node (zlib, off the main thread); a bomb stops
 * at `max` bytes.
 */
import { fail } from './validate.ts';

/** Rejects with a ProtocolError on data that is not deflate-raw (`bad-frame`) or that inflates
 * to more than `max` bytes (`too-large`). */
export async function inflateRaw(data: Uint8Array, max: number): Promise<Uint8Array> {
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  // their failures are the reader's too
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = ds.readable.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let r: { done: boolean; value?: Uint8Array };
    try {
      r = await reader.read();
    } catch {
      fail('the data does not inflate (deflate-raw)', 'bad-frame');
    }
    if (r.done || !r.value) break;
    size += r.value.length;
    if (size > max) {
      reader.cancel().catch(() => {});
      fail(`inflates to more than ${max} bytes`, 'too-large');
    }
    parts.push(r.value);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
