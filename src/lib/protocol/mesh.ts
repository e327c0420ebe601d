/**
 * The mesh's own messages, between any two participants (capability byte CAP.MESH). The mesh
 * consumes them itself; capabilities never see them.
 *
 * Handshake: when the channel opens both sides send `hello` with their credential; nothing else is
 * sent or accepted until the other side's credential verified (audience = session, sub = the peer
 * id it announced, fp = the DTLS fingerprint of this very connection). `renew` hands over a
 * refreshed credential (same participant, same fingerprint) before the current one lapses: a peer
 * whose credential lapses unrenewed is dropped (mesh.ts). `bye` says a participant leaves on
 * purpose (no reconnect); `error` answers a message that was refused. `ping` is a sign of life,
 * sent every PING_MS when nothing else was: a peer not heard from for SILENT_MS (killed, frozen,
 * unplugged) is dropped as lost long before the connection itself would notice.
 */
import { EVERYONE, readJson, typeOf, writeJson, type Protocol, type Rules } from './capability.ts';
import { MAX_NAME_CHARS, MAX_TOKEN_CHARS, nameProblem } from './credentials.ts';
import { CAP } from './frames.ts';
import { fail, str } from './validate.ts';

export type MeshMessage =
  | { type: 'hello'; token: string }
  | { type: 'rename'; name: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'bye'; reason: string }
  | { type: 'renew'; token: string }
  | { type: 'ping' };

/** index = type byte */
const TYPES = ['hello', 'rename', 'error', 'bye', 'renew', 'ping'] as const satisfies readonly MeshMessage['type'][];
const MAX_MESH_JSON_BYTES = 16 * 1024;

export function writeMesh(m: MeshMessage): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.MESH, TYPES.indexOf(type), fields);
}

export function readMesh(body: Uint8Array): MeshMessage {
  const type = typeOf(body, TYPES, 'mesh');
  const o = readJson(body, MAX_MESH_JSON_BYTES);
  switch (type) {
    case 'hello':
      return { type, token: str(o, 'token', MAX_TOKEN_CHARS, { min: 1 }) };
    case 'rename': {
      const name = str(o, 'name', MAX_NAME_CHARS, { min: 1 });
      const problem = nameProblem(name);
      if (problem) fail(problem, 'bad-name');
      return { type, name: name.trim() };
    }
    case 'error':
      return { type, code: str(o, 'code', 64), message: str(o, 'message', 1000) };
    case 'bye':
      return { type, reason: str(o, 'reason', 200) };
    case 'renew':
      return { type, token: str(o, 'token', MAX_TOKEN_CHARS, { min: 1 }) };
    case 'ping':
      return { type };
  }
}

const anyone = { from: EVERYONE, to: EVERYONE };
export const MESH_RULES: Rules<MeshMessage> = { hello: anyone, rename: anyone, error: anyone, bye: anyone, renew: anyone, ping: anyone };

export const meshProtocol: Protocol<MeshMessage, MeshMessage> = {
  cap: CAP.MESH,
  name: 'mesh',
  write: writeMesh,
  read: readMesh,
  rules: MESH_RULES
};
