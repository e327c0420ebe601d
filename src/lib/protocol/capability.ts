/**
 * What every capability's protocol file provides (mesh.ts, terminal.ts, session.ts, …): a
 * capability byte, `write`/`read` for its messages, and a table of which role may send which
 * message to which role. The mesh's router (src/lib/mesh/router.ts) decodes each message once with
 * `read`, checks the table, and hands the typed message to whoever registered for the capability.
 *
 * A message body is `[type:u8] payload`. JSON payloads (control messages) use `writeJson` /
 * `readJson`; hot paths (terminal output and input) lay out their own bytes.
 */
import { frame, MAX_MESSAGE_BYTES, type Lane } from './frames.ts';
import type { Role } from './roles.ts';
import { fail, obj, parseJson, type Obj } from './validate.ts';

export interface Typed {
  type: string;
}

/** Who may send a message, and who may act on it when it arrives. */
export interface Rule {
  /** roles of the sender the receiver accepts it from */
  from: readonly Role[];
  /** roles of the receiver that act on it (a message for the host is refused by everyone else) */
  to: readonly Role[];
  /** told to a sender whose role may not send it (the first time, per message type) */
  denied?: string;
  /** `bulk` for large transfers that must not hold up keystrokes and output (frames.ts) */
  lane?: Lane;
}

export type Rules<M extends Typed> = { readonly [K in M['type']]: Rule };

/** `Up`: what participants send towards the host; `Down`: what the host sends out. A capability
 * between equals (the mesh itself) has the same union both ways. */
export interface Protocol<Up extends Typed, Down extends Typed> {
  readonly cap: number;
  /** for logs and error messages */
  readonly name: string;
  /** the whole message, capability byte first */
  write(m: Up | Down): Uint8Array;
  /** the body after the capability byte; throws ProtocolError */
  read(body: Uint8Array): Up | Down;
  /** A body that needs async work before `read` (a compressed form): resolves with the body
   * `read` takes; null when it needs none. The router keeps one peer's messages of the capability
   * in order around it. */
  unpack?(body: Uint8Array): Promise<Uint8Array> | null;
  readonly rules: Rules<Up | Down>;
}

export type MessageOf<P> = P extends Protocol<infer U, infer D> ? U | D : never;
export type UpOf<P> = P extends Protocol<infer U, Typed> ? U : never;
export type DownOf<P> = P extends Protocol<Typed, infer D> ? D : never;

export const EVERYONE: readonly Role[] = ['owner', 'host', 'editor', 'viewer'];
export const GUESTS: readonly Role[] = ['owner', 'editor', 'viewer'];
/** who may change what everyone shares (type, edit, open and close things) */
export const WRITERS: readonly Role[] = ['owner', 'editor'];
export const HOST: readonly Role[] = ['host'];

/** The lane a message travels on. */
export function laneOf(protocol: Protocol<Typed, Typed>, msg: Typed): Lane {
  return (protocol.rules as Record<string, Rule>)[msg.type]?.lane ?? 'urgent';
}

export function permits(rule: Rule, from: Role, to: Role): boolean {
  return rule.from.includes(from) && rule.to.includes(to);
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** `[cap][type] utf-8 JSON of fields` */
export function writeJson(cap: number, type: number, fields: object): Uint8Array {
  return writeJsonText(cap, type, JSON.stringify(fields));
}

/** writeJson with the JSON already written (a hot path that assembles it from encoded parts). */
export function writeJsonText(cap: number, type: number, text: string): Uint8Array {
  const json = enc.encode(text);
  const body = new Uint8Array(1 + json.length);
  body[0] = type;
  body.set(json, 1);
  return frame(cap, body);
}

/** The JSON object after a body's type byte, bounded in size. */
export function readJson(body: Uint8Array, maxBytes = MAX_MESSAGE_BYTES, what = 'control message'): Obj {
  let text: string;
  try {
    text = dec.decode(body.subarray(1));
  } catch {
    fail(`${what} is not valid UTF-8`, 'bad-frame');
  }
  return obj(parseJson(text, maxBytes, what), what);
}

/** The type byte of a body, named by `names` (index = byte). */
export function typeOf<T extends string>(body: Uint8Array, names: readonly T[], capName: string): T {
  if (body.length === 0) fail(`empty ${capName} message`, 'bad-frame');
  const t = names[body[0]];
  if (t === undefined) fail(`unknown ${capName} message type ${body[0]}`, 'bad-frame');
  return t;
}

/** `utf-8` text, for binary layouts that carry some. */
export const utf8 = {
  encode: (s: string) => enc.encode(s),
  decode: (b: Uint8Array, what: string) => {
    try {
      return dec.decode(b);
    } catch {
      fail(`${what} is not valid UTF-8`, 'bad-frame');
    }
  }
};
