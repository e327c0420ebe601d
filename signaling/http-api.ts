/**
 * The HTTP API (routes in src/lib/protocol/api.ts): create a session, exchange an invite for a
 * credential, refresh a credential, publish the JWKS. Every error is `{ error, code }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import {
  HttpError,
  MAX_BODY_BYTES,
  parseControl,
  parseCreateInvite,
  parseCreateSession,
  parseJoin,
  parseRefresh,
  type CreateSessionResponse,
  type CredentialResponse
} from '../src/lib/protocol/api.ts';
import { CLOCK_SKEW_S, nameProblem, normalizeFingerprint, REFRESH_GRACE_S, SESSION_ID_RE, type Claims, type Verifier } from '../src/lib/protocol/credentials.ts';
import type { Role } from '../src/lib/protocol/roles.ts';
import { verifyStatement, type OwnerKeyJwk } from '../src/lib/protocol/statements.ts';
import { ProtocolError } from '../src/lib/protocol/validate.ts';
import { randomId, type SigningKeys } from './keys.ts';
import { clientKey, RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { DEFAULT_INVITE_TTL_S, Invites, MAX_INVITE_TTL_S } from './invites.ts';
import { endedText, type Revocations } from './revocations.ts';
import { SessionLimitError, type SessionStore } from './sessions.ts';
import { iceServersFor, type TurnConfig } from './turn.ts';
import type { SignalingMetrics } from './metrics.ts';
import type { SharedLimits } from './redis-limits.ts';

export { HttpError };

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  // A body we stopped reading must not be parsed as the next request on this connection.
  if (e.status === 413) res.setHeader('Connection', 'close');
  sendJson(res, e.status, { error: e.message, code: e.code });
}

/**
 * Cross-site requests are refused: a browser sends `Origin` with every POST (and with cross-site
 * GETs), so an Origin that is not this server's own means another site's page is calling. Programs
 * (the host agent, curl) send none. Behind a proxy the Host header must be passed through.
 */
export function sameOrigin(req: IncomingMessage, publicOrigin?: string): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  // behind a proxy that rewrites Host, the address people use is the one the operator names
  if (publicOrigin !== undefined && origin === publicOrigin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== req.headers.host) throw new HttpError(403, 'cross-origin', `requests from ${origin.slice(0, 100)} are not allowed: the API answers only its own pages`);
}

/** A body over MAX_BODY_BYTES is read this far (and dropped) before the 413, bytes. */
const MAX_DRAINED_BYTES = 64 * 1024;

/** Reads a JSON body of at most MAX_BODY_BYTES; an empty body reads as `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  // Only JSON: a cross-site form or `text/plain` POST (no CORS preflight) is refused before it is read.
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !(type === '' && Number(req.headers['content-length'] ?? 0) === 0 && !req.headers['transfer-encoding'])) {
    throw new HttpError(415, 'unsupported-media-type', 'request bodies must be JSON (Content-Type: application/json)');
  }
  const tooLarge = async (read: number) => {
    // Read (and drop) a body of moderate size before answering: a reverse proxy still sending it
    // to a closed connection answers 502 instead of passing this 413 on (Caddy does).
    if (!req.readableEnded) for await (const chunk of req as AsyncIterable<Buffer>) if ((read += chunk.length) > MAX_DRAINED_BYTES) break;
    return new HttpError(413, 'too-large', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw await tooLarge(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw await tooLarge(size);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad-json', 'request body is not valid JSON');
  }
}

/** Display names are trimmed and must keep 1..64 characters. */
function displayName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new HttpError(400, 'bad-name', `"name": ${problem}`);
  return name.trim();
}

function parsed<T>(parse: (v: unknown) => T, body: unknown): T {
  try {
    return parse(body);
  } catch (e) {
    if (e instanceof ProtocolError) throw new HttpError(400, 'bad-request', e.message);
    throw e;
  }
}

export interface ApiDeps {
  keys: SigningKeys;
  store: SessionStore;
  verify: Verifier;
  revocations: Revocations;
  /** take the client address from X-Forwarded-For (behind a reverse proxy the operator runs) */
  trustProxy?: boolean;
  /** a session ended (the relay closes its sockets) */
  onEnd?: (session: string) => void;
  /** limits per client address on creating sessions and on joins/refreshes; none when absent */
  limits?: { create: RateLimitOptions; join: RateLimitOptions } | null;
  /** the extra invites (a state file restores them); default empty, in memory */
  invites?: Invites;
  /** saves invites and revocations; each change is saved before it is answered (control-file.ts) */
  persist?: () => Promise<void>;
  /** STUN/TURN servers handed to every participant with its credential (turn.ts) */
  turn?: TurnConfig;
  /** counters for /metrics */
  metrics?: SignalingMetrics;
  /** the origin people reach this server at (--public-url), accepted as a same-site Origin */
  publicOrigin?: string;
  /** several instances on one Redis: rate limits and invite uses counted across them (redis-limits.ts) */
  shared?: SharedLimits;
}

/** Defaults: a person starts a few sessions, a team joins a few dozen times a minute. */
export const DEFAULT_LIMITS = {
  create: { burst: 10, perMinute: 10 },
  join: { burst: 60, perMinute: 120 }
};

export function createApi({ keys, store, verify, revocations, onEnd, limits, turn, trustProxy = false, invites = new Invites(), persist = async () => {}, metrics, publicOrigin, shared }: ApiDeps) {
  const createLimit = limits ? new RateLimiter(limits.create) : null;
  const joinLimit = limits ? new RateLimiter(limits.join) : null;
  async function limit(r: RateLimiter | null, req: IncomingMessage): Promise<void> {
    if (!r || !limits) return;
    const name = r === createLimit ? 'create' : 'join';
    const client = clientKey(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
    // this instance's bucket first (no round trip when it is empty), then the one all instances share
    let wait = r.take(client);
    if (wait === 0 && shared) wait = await shared.take(name, client, limits[name]);
    if (wait > 0) metrics?.rateLimited.inc({ limit: `api-${name}` });
    if (wait > 0) throw new HttpError(429, 'rate-limited', `too many requests from your address: try again in ${wait} s`);
  }

  // relay-only sessions (in memory, like extra invites: a restart forgets it, and the host says it again when it creates one)
  const relayOnly = new Set<string>();

  async function credential(session: string, sub: string, role: Role, name: string, fp: string | undefined, ck?: OwnerKeyJwk, inv?: string): Promise<CredentialResponse> {
    // only an owner's key is bound: it is what makes its statements verifiable by every peer
    const token = await keys.sign({ aud: session, sub, role, name, fp, inv, cnf: role === 'owner' && ck ? { jwk: ck } : undefined });
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Claims;
    return { session, participant: sub, role, name, token, exp, ice: iceServersFor(turn, sub), relay: relayOnly.has(session) };
  }

  async function knownSession(id: string): Promise<void> {
    const ended = revocations.ended(id);
    if (ended) throw new HttpError(410, 'session-ended', endedText(ended));
    if (!SESSION_ID_RE.test(id) || !(await store.has(id))) {
      throw new HttpError(404, 'unknown-session', 'no such session: it may have ended or the link is mistyped');
    }
  }

  async function create(req: IncomingMessage): Promise<CreateSessionResponse> {
    const body = parsed(parseCreateSession, await readJson(req));
    if (body.relay && !turn?.turnUrls.length) throw new HttpError(400, 'no-relay', 'a relay-only session needs a TURN server: start signaling with --turn-url and --turn-secret');
    let created;
    try {
      created = await store.create();
    } catch (e) {
      if (e instanceof SessionLimitError) throw new HttpError(503, 'too-many-sessions', e.message);
      throw e;
    }
    if (body.relay) relayOnly.add(created.id);
    const cred = await credential(created.id, randomId('p_'), body.role, displayName(body.name), body.fp, body.ck);
    metrics?.credentials.inc({ kind: 'create' });
    return { ...cred, invites: created.invites };
  }

  async function join(req: IncomingMessage, id: string): Promise<CredentialResponse> {
    const body = parsed(parseJoin, await readJson(req));
    await knownSession(id);
    // one of the three default links (id = its role), or one the owner made
    const defaultRole = await store.inviteRole(id, body.invite);
    const extra = defaultRole ? undefined : invites.take(id, body.invite);
    if (extra && 'refused' in extra) throw new HttpError(403, 'revoked-invite', extra.refused);
    if (extra && extra.usesLeft !== null && shared) {
      // the other instances take uses too: the shared count decides (the last use goes to one of them)
      const left = await shared.claimUse(id, extra.id, extra.usesLeft + 1, extra.expires);
      invites.usesLeft(id, extra.id, left);
      if (left < 0) throw new HttpError(403, 'revoked-invite', 'this link has been used as many times as the owner allowed: ask for a new one');
    }
    const used = defaultRole ? { id: defaultRole as string, role: defaultRole } : extra;
    if (!used) throw new HttpError(403, 'bad-invite', 'this invite is not valid for this session: ask the owner for a new link');
    if (invites.isRevoked(id, used.id)) throw new HttpError(403, 'revoked-invite', 'this link was revoked by the owner: ask for a new one');
    // a use taken from a counted invite is on disk before the credential leaves
    if (extra) await persist();
    await store.touch(id);
    metrics?.credentials.inc({ kind: 'join' });
    return credential(id, randomId('p_'), used.role, displayName(body.name), body.fp, body.ck, used.id);
  }

  async function refresh(req: IncomingMessage, id: string): Promise<CredentialResponse> {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(auth);
    if (!m) throw new HttpError(401, 'no-credential', 'refreshing needs "Authorization: Bearer <credential>"');
    let old: Claims;
    let lapsed = false;
    try {
      // A credential that lapsed while signaling was unreachable is still good for this exchange
      // (within REFRESH_GRACE_S): it is checked as of a moment before its expiry.
      const exp = decodeJwt(m[1]).exp;
      const now = Date.now() / 1000;
      lapsed = typeof exp === 'number' && exp + CLOCK_SKEW_S < now && now - exp < REFRESH_GRACE_S;
      old = await verify(m[1], id, lapsed && typeof exp === 'number' ? exp - 1 : undefined);
      const refused = revocations.refusal(old);
      if (refused) throw new ProtocolError('bad-credential', refused);
    } catch (e) {
      throw new HttpError(401, 'bad-credential', e instanceof Error ? e.message : 'credential refused');
    }
    const body = parsed(parseRefresh, await readJson(req));
    // A credential stays bound to its certificate: a stolen token must not be re-bound to another.
    if (old.fp && body.fp && normalizeFingerprint(body.fp) !== normalizeFingerprint(old.fp)) {
      throw new HttpError(403, 'fingerprint-mismatch', 'a credential cannot be moved to another certificate; join again with the link');
    }
    // A lapsed one only for the participant that still holds that certificate (and says so).
    if (lapsed && old.inv && invites.isRevoked(id, old.inv)) throw new HttpError(401, 'bad-credential', 'credential refused: it has expired and its link was revoked');
    if (lapsed && (!old.fp || !body.fp)) {
      throw new HttpError(401, 'bad-credential', 'credential refused: it has expired (a lapsed credential is renewed only with the fingerprint it is bound to)');
    }
    await knownSession(id);
    await store.touch(id);
    // One live credential per participant: the one exchanged now is retired, so a copy of it
    // (leaked, logged) cannot be renewed or used at signaling any more.
    revocations.retire(old);
    await persist();
    // Never bound later: a credential issued without a fingerprint stays without one.
    // the owner's decisions since (statements) decide the role; the key stays bound
    const role = old.role === 'owner' || old.role === 'host' ? old.role : (revocations.role(id, old.sub) ?? old.role);
    metrics?.credentials.inc({ kind: 'refresh' });
    return credential(id, old.sub, role, body.name === undefined ? old.name : displayName(body.name), old.fp, old.cnf?.jwk, old.inv);
  }

  /** An owner's statement: verified like every peer does, then applied to refreshes and upgrades. */
  async function control(req: IncomingMessage, id: string): Promise<{ ok: true }> {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) throw new HttpError(401, 'no-credential', 'a statement needs "Authorization: Bearer <owner credential>"');
    const body = parsed(parseControl, await readJson(req));
    await knownSession(id);
    let s;
    try {
      await verify(m[1], id);
      s = await verifyStatement(body.statement, m[1], id, verify);
    } catch (e) {
      throw new HttpError(401, 'bad-statement', e instanceof Error ? e.message : 'statement refused');
    }
    if (s.act === 'relay-only') {
      // credentials issued from now on say so, so a newcomer connects through the relay from its first offer
      if (!turn?.turnUrls.length) throw new HttpError(400, 'no-relay', 'a relay-only session needs a TURN server: start signaling with --turn-url and --turn-secret');
      relayOnly.add(id);
      return { ok: true };
    }
    if (s.act === 'remove') revocations.remove(id, s.sub);
    else revocations.setRole(id, s.sub, s.role, s.iat);
    await persist();
    return { ok: true };
  }

  /** The verified claims of the request's bearer credential, for session `id`. */
  async function bearer(req: IncomingMessage, id: string, needs: string): Promise<Claims> {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) throw new HttpError(401, 'no-credential', `${needs} "Authorization: Bearer <credential>"`);
    await knownSession(id);
    try {
      return await verify(m[1], id);
    } catch (e) {
      throw new HttpError(401, 'bad-credential', e instanceof Error ? e.message : 'credential refused');
    }
  }

  /** The bearer's claims, which must be an owner's of this session. */
  async function owner(req: IncomingMessage, id: string): Promise<Claims> {
    const c = await bearer(req, id, 'this needs');
    const refused = revocations.refusal(c);
    if (refused) throw new HttpError(401, 'bad-credential', refused);
    if (c.role !== 'owner') throw new HttpError(403, 'forbidden', 'only an owner manages invites');
    return c;
  }

  async function invitesRoute(req: IncomingMessage, res: ServerResponse, id: string, inv: string | undefined): Promise<void> {
    const c = await owner(req, id);
    if (inv !== undefined) {
      if (req.method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST');
      if (!invites.revoke(id, decodeURIComponent(inv))) throw new HttpError(404, 'unknown-invite', 'no such invite');
      await persist();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'GET') return sendJson(res, 200, { invites: invites.list(id) });
    if (req.method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use GET or POST');
    const body = parsed((v) => parseCreateInvite(v, MAX_INVITE_TTL_S), await readJson(req));
    let made;
    try {
      made = invites.create(id, body.role, body.ttl ?? DEFAULT_INVITE_TTL_S, body.uses ?? null, c.name);
    } catch (e) {
      throw new HttpError(409, 'too-many-invites', (e as Error).message);
    }
    await persist();
    sendJson(res, 201, { info: made.info, invite: made.secret });
  }

  /**
   * An owner, or the host that started the session, ends it: links say so, sockets close, nothing
   * is renewed. A host attached later through a host link (its credential names that invite) is a
   * guest of the owner's session: it detaches, it does not end it.
   */
  async function end(req: IncomingMessage, id: string): Promise<{ ok: true }> {
    const c = await bearer(req, id, 'ending a session needs');
    const refused = revocations.refusal(c);
    if (refused) throw new HttpError(401, 'bad-credential', refused);
    if (c.role !== 'owner' && !(c.role === 'host' && c.inv === undefined)) throw new HttpError(403, 'forbidden', 'only an owner or the host that started the session can end it');
    revocations.end(id, c.name);
    invites.forget(id);
    await persist();
    onEnd?.(id);
    return { ok: true };
  }

  /** Answers the request when it is an API route; returns false otherwise. */
  return async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/.well-known/jwks.json') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', 'use GET');
      sendJson(res, 200, keys.jwks());
      return true;
    }
    if (path === '/api/health') {
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (!path.startsWith('/api/')) return false;
    sameOrigin(req, publicOrigin);
    const post = (): void => {
      if (req.method !== 'POST') throw new HttpError(405, 'method-not-allowed', `${path} only answers POST`);
    };
    if (path === '/api/sessions') {
      post();
      await limit(createLimit, req);
      sendJson(res, 201, await create(req));
      return true;
    }
    const i = /^\/api\/sessions\/([^/]+)\/invites(?:\/([^/]+)\/revoke)?$/.exec(path);
    if (i) {
      await limit(joinLimit, req);
      await invitesRoute(req, res, i[1], i[2]);
      return true;
    }
    const m = /^\/api\/sessions\/([^/]+)\/(join|refresh|control|end)$/.exec(path);
    if (m) {
      post();
      await limit(joinLimit, req);
      sendJson(res, 200, m[2] === 'join' ? await join(req, m[1]) : m[2] === 'refresh' ? await refresh(req, m[1]) : m[2] === 'end' ? await end(req, m[1]) : await control(req, m[1]));
      return true;
    }
    throw new HttpError(404, 'not-found', `no API route ${path}`);
  };
}
