/**
 * ICE servers for each participant's credential: STUN URLs as given, and TURN URLs with
 * short-lived coturn REST credentials (`use-auth-secret` in turnserver.conf): the username is
 * `<expiry>:<participant>` and the password base64(HMAC-SHA1(secret, username)), so coturn checks
 * them with the shared secret alone and nobody keeps a list of users.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../src/lib/protocol/api.ts';

/** How long a TURN credential is good for, s: longer than one signaling credential (which is
 * refreshed with it), short enough that a leaked one is soon useless. */
export const TURN_TTL_S = 600;
/** A shared secret shorter than this is refused: it is all that guards the relay. */
export const MIN_SECRET_CHARS = 16;
/** Most TURN or STUN URLs an operator may configure (IceServer lists are bounded on the wire). */
export const MAX_ICE_URLS = 8;

export interface TurnConfig {
  /** turn:HOST:PORT, turns:HOST:PORT, with an optional ?transport=udp|tcp */
  turnUrls: string[];
  /** coturn's static-auth-secret; required when there are TURN URLs */
  secret?: string;
  /** stun:HOST:PORT */
  stunUrls: string[];
  /** lifetime of each TURN credential, s (default TURN_TTL_S) */
  ttlS?: number;
}

export class TurnConfigError extends Error {}

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/** Checks one `--turn-url` / `--stun-url` and returns it as given (browsers want exactly this form). */
export function checkIceUrl(url: string, kind: 'turn' | 'stun'): string {
  const schemes = kind === 'turn' ? ['turn', 'turns'] : ['stun', 'stuns'];
  const m = /^([a-z]+):([^?]*)(?:\?(.*))?$/.exec(url);
  const example = kind === 'turn' ? 'turn:turn.example.org:3478 or turns:turn.example.org:5349?transport=tcp' : 'stun:stun.example.org:3478';
  if (!m || !schemes.includes(m[1]) || !HOST_PORT.test(m[2])) throw new TurnConfigError(`--${kind}-url must look like ${example}, not ${JSON.stringify(url)}`);
  const port = HOST_PORT.exec(m[2])![1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new TurnConfigError(`--${kind}-url ${url}: the port must be from 1 to 65535`);
  if (m[3] !== undefined) {
    if (kind === 'stun' || !/^transport=(udp|tcp)$/.test(m[3])) throw new TurnConfigError(`--${kind}-url ${url}: the only query allowed is ?transport=udp or ?transport=tcp (TURN only)`);
  }
  return url;
}

/** Validates a whole configuration (the CLI's flags); returns it normalized. */
export function checkTurnConfig(c: TurnConfig): TurnConfig {
  if (c.turnUrls.length > MAX_ICE_URLS || c.stunUrls.length > MAX_ICE_URLS) throw new TurnConfigError(`at most ${MAX_ICE_URLS} --turn-url and ${MAX_ICE_URLS} --stun-url`);
  const turnUrls = c.turnUrls.map((u) => checkIceUrl(u, 'turn'));
  const stunUrls = c.stunUrls.map((u) => checkIceUrl(u, 'stun'));
  const secret = c.secret?.trim();
  if (turnUrls.length && !secret) throw new TurnConfigError('--turn-url needs --turn-secret or --turn-secret-file (the static-auth-secret of your coturn)');
  if (secret !== undefined && !turnUrls.length) throw new TurnConfigError('--turn-secret is only useful with --turn-url');
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) throw new TurnConfigError(`the TURN secret must be at least ${MIN_SECRET_CHARS} characters`);
  return { turnUrls, stunUrls, secret, ttlS: c.ttlS };
}

/** coturn REST credentials for one participant, valid until `nowS + ttlS`. */
export function turnCredential(secret: string, participant: string, nowS: number, ttlS = TURN_TTL_S): { username: string; credential: string } {
  const username = `${Math.floor(nowS) + ttlS}:${participant}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** What goes into a participant's credential response as `ice`. */
export function iceServersFor(c: TurnConfig | undefined, participant: string, nowS = Date.now() / 1000): IceServer[] {
  if (!c) return [];
  const out: IceServer[] = [];
  if (c.stunUrls.length) out.push({ urls: c.stunUrls });
  if (c.turnUrls.length && c.secret) out.push({ urls: c.turnUrls, ...turnCredential(c.secret, participant, nowS, c.ttlS) });
  return out;
}
