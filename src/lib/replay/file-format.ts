/**
 * A recording as one file (".lsrec", UTF-8 JSON lines), version RECORDING_VERSION:
 *
 *   {"format":"live-sessions-recording","version":1,"meta":{session, started, length, events, participants}}
 *   {"e":{seq, t, k, …}}          one line per event, in seq order
 *   {"kf":{seq, t, people, self, latest, screens}}   keyframes, after the events
 *
 * Bytes inside messages (terminal output) are {"$b64":"…"}. Lines, not one JSON document, so that
 * export and import stream: neither holds the whole recording in memory.
 */
import type { Keyframe, RecordingMeta, Stored } from './events.ts';
import { RECORDING_VERSION } from './events.ts';
import type { RecordingReader } from './reader.ts';

export const FORMAT = 'live-sessions-recording';
export const FILE_EXTENSION = '.lsrec';

function toB64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromB64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const replacer = (_k: string, v: unknown) => (v instanceof Uint8Array ? { $b64: toB64(v) } : v);

export function headerLine(meta: RecordingMeta): string {
  const { session, started, length, events, participants } = meta;
  return JSON.stringify({ format: FORMAT, version: RECORDING_VERSION, meta: { session, started, length, events, participants } });
}

export function eventLine(e: Stored): string {
  const { rec: _rec, ...rest } = e;
  return JSON.stringify({ e: rest }, replacer);
}

export function keyframeLine(k: Keyframe): string {
  const { rec: _rec, ...rest } = k;
  return JSON.stringify({ kf: rest }, replacer);
}

/** The whole recording as file parts (lines with their newlines), read a page at a time. */
export async function exportParts(reader: RecordingReader): Promise<string[]> {
  const meta = await reader.meta();
  if (!meta) throw new Error('this recording is gone');
  const parts = [headerLine(meta) + '\n'];
  await reader.each((e) => void parts.push(eventLine(e) + '\n'));
  await reader.eachKeyframe((k) => void parts.push(keyframeLine(k) + '\n'));
  return parts;
}

export function fileName(meta: RecordingMeta): string {
  const when = new Date(meta.started).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `${meta.session}-${when}${FILE_EXTENSION}`.replace(/[^\w.-]/g, '_');
}
