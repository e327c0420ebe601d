/**
 * Admitting a peer on a new connection: until its hello verifies, nothing it sends reaches the
 * capabilities. The first message must be hello with its credential (peer-credentials.ts checks
 * it); what arrives while that is verified is held, bounded, for the mesh to hand on once the peer
 * is admitted.
 */
import { CAP, type Message } from '../protocol/frames.ts';
import { readMesh } from '../protocol/mesh.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { MAX_HELD_BYTES, MAX_HELD_MESSAGES } from './budget.ts';
import type { Member } from './member.ts';
import type { PeerCredentials } from './peer-credentials.ts';
import { asProtocolError } from './router.ts';

export interface AdmissionHooks {
  credentials: PeerCredentials;
  /** the owner removed this participant: never admitted again */
  isRemoved(id: string): boolean;
  /** its hello verified (`m.ready`): pass on what it missed, then what was held */
  admitted(m: Member): void;
  /** its hello did not verify: tell it, close, ignore it for a while */
  refused(m: Member, err: ProtocolError): void;
}

/** Takes a message from a peer not admitted yet. */
export async function admit(m: Member, msg: Message, h: AdmissionHooks): Promise<void> {
  if (m.verifying) {
    m.heldBytes += msg.body.length + 1;
    // too much before its hello verified: let go of this connection (it is retried), not of the peer
    if (m.held.length >= MAX_HELD_MESSAGES || m.heldBytes > MAX_HELD_BYTES) return m.close({ kind: 'lost', detail: 'too much arrived before its hello was verified' });
    m.held.push(msg);
    return;
  }
  let token: string;
  try {
    const hello = msg.cap === CAP.MESH ? readMesh(msg.body) : null;
    if (hello?.type !== 'hello') throw new ProtocolError('unauthenticated', 'send hello with your credential first');
    token = hello.token;
  } catch (e) {
    return m.strike(asProtocolError(e));
  }
  m.verifying = true;
  try {
    const claims = await h.credentials.verifyFor(m, token);
    if (h.isRemoved(claims.sub)) throw new ProtocolError('removed', 'the owner removed this participant');
    m.claims = claims;
    m.name = claims.name;
    h.credentials.armExpiry(m);
  } catch (e) {
    return h.refused(m, asProtocolError(e, 'bad-credential'));
  }
  m.verifying = false;
  m.ready = true;
  h.admitted(m);
}
