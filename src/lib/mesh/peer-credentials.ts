/**
 * A peer's credential on its connection: verified at hello (the session's, for the peer id the
 * relay vouched for, bound to this connection's DTLS certificate), replaced by each renewal it
 * sends, and enforced when it lapses — past the clock skew and a grace, counted from when
 * signaling is reachable again (nobody can renew while it is down).
 */
import { CLOCK_SKEW_S, LAPSE_GRACE_S, normalizeFingerprint, type Claims, type Verifier } from '../protocol/credentials.ts';
import { ProtocolError } from '../protocol/validate.ts';
import type { Member } from './member.ts';
import { asProtocolError } from './router.ts';

export class PeerCredentials {
  #session: string;
  #verify: Verifier;
  #onlineSince: () => number | null;

  /** `onlineSince`: since when signaling is reachable (ms), null while it is not */
  constructor(session: string, verify: Verifier, onlineSince: () => number | null) {
    this.#session = session;
    this.#verify = verify;
    this.#onlineSince = onlineSince;
  }

  /** Verifies a credential a peer presents for itself on this very connection. */
  async verifyFor(m: Member, token: string): Promise<Claims> {
    const claims = await this.#verify(token, this.#session);
    if (claims.sub !== m.id) throw new ProtocolError('bad-credential', 'credential names another participant');
    const fp = m.peer.remoteFingerprint;
    if (!claims.fp || !fp || normalizeFingerprint(claims.fp) !== fp) {
      throw new ProtocolError('bad-credential', 'credential is not bound to the certificate of this connection');
    }
    return claims;
  }

  /** A renewed credential replaces the one the peer said hello with (same participant and certificate). */
  async renew(m: Member, token: string): Promise<void> {
    try {
      const claims = await this.verifyFor(m, token);
      if (claims.exp < m.claims.exp) return;
      m.claims = claims;
      this.armExpiry(m);
    } catch (e) {
      m.strike(asProtocolError(e, 'bad-credential'));
    }
  }

  /** Drops the peer when its credential lapsed (past the skew) and a grace passed without a renew. */
  armExpiry(m: Member, at = (m.claims.exp + CLOCK_SKEW_S + LAPSE_GRACE_S) * 1000): void {
    clearTimeout(m.expiry);
    m.expiry = setTimeout(() => {
      if (m.peer.closed) return;
      // A timer can fire a moment before its time by the wall clock (Node's timers run on the
      // loop's monotonic clock): look again then, or the lapsed peer would stay for good.
      if (Date.now() < (m.claims.exp + CLOCK_SKEW_S + LAPSE_GRACE_S) * 1000) return this.armExpiry(m);
      // While we cannot reach signaling either, nobody could renew: the grace starts when it is back.
      const back = this.#onlineSince();
      if (back === null) return this.armExpiry(m, Date.now() + LAPSE_GRACE_S * 1000);
      if (Date.now() < back + LAPSE_GRACE_S * 1000) return this.armExpiry(m, back + LAPSE_GRACE_S * 1000);
      m.close({ kind: 'removed', detail: 'its credential expired and was not renewed' });
    }, Math.max(0, at - Date.now()));
  }
}
