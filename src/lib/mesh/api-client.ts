/**
 * The signaling server's HTTP API, for the browser, the host agent and test peers alike (global
 * fetch). Every answer is validated; every failure is a sentence a user can act on (an HttpError
 * when the server refused).
 */
import {
  HttpError,
  parseApiError,
  parseCreateInviteResponse,
  parseCreateSessionResponse,
  parseInvites,
  parseCredentialResponse,
  parseJwks,
  type CreateInviteRequest,
  type CreateInviteResponse,
  type CreateSessionRequest,
  type InviteInfo,
  type CreateSessionResponse,
  type CredentialResponse,
  type JoinRequest,
  type Jwks,
  type RefreshRequest
} from '../protocol/api.ts';

/** How long one API call may take, ms. */
export const API_TIMEOUT_MS = 10_000;


export class ApiClient {
  readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/$/, '');
  }

  async #call<T>(path: string, parse: (v: unknown) => T, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, signal: AbortSignal.timeout(API_TIMEOUT_MS) });
    } catch (e) {
      const why = (e as Error).cause ?? (e as Error).message;
      throw new Error(`Cannot reach the signaling server at ${this.base} (${why}). Is it running? Check the address and your connection, then retry.`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new Error(`The signaling server at ${this.base} answered ${res.status} with something that is not JSON: is that a Live Sessions signaling server?`);
    }
    if (!res.ok) {
      const err = parseApiError(body);
      throw new HttpError(res.status, err?.code ?? 'error', err?.error ?? `The signaling server refused ${path} (HTTP ${res.status}).`);
    }
    try {
      return parse(body);
    } catch (e) {
      throw new Error(`The signaling server at ${this.base} sent an answer this version does not understand (${(e as Error).message}).`);
    }
  }

  #post<T>(path: string, body: object, parse: (v: unknown) => T, token?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    return this.#call(path, parse, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  createSession(req: CreateSessionRequest): Promise<CreateSessionResponse> {
    return this.#post('/api/sessions', req, parseCreateSessionResponse);
  }

  join(session: string, req: JoinRequest): Promise<CredentialResponse> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/join`, req, parseCredentialResponse);
  }

  refresh(session: string, token: string, req: RefreshRequest): Promise<CredentialResponse> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/refresh`, req, parseCredentialResponse, token);
  }

  /** Hands the server an owner's statement (removal, role change); peers apply it without the server. */
  control(session: string, token: string, statement: string): Promise<unknown> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/control`, { statement }, (v) => v, token);
  }

  /** Owners: a new invite link's secret (role, lifetime, uses). */
  createInvite(session: string, token: string, req: CreateInviteRequest): Promise<CreateInviteResponse> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/invites`, req, parseCreateInviteResponse, token);
  }

  /** Owners: the session's invites, default links included. */
  invites(session: string, token: string): Promise<InviteInfo[]> {
    return this.#call(`/api/sessions/${encodeURIComponent(session)}/invites`, parseInvites, { headers: { authorization: `Bearer ${token}` } });
  }

  /** Owners: no new joins with that link from now on. */
  revokeInvite(session: string, token: string, id: string): Promise<unknown> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/invites/${encodeURIComponent(id)}/revoke`, {}, (v) => v, token);
  }

  /** Ends the session (an owner, or the host that started it): its links then say so and its sockets close. */
  end(session: string, token: string): Promise<unknown> {
    return this.#post(`/api/sessions/${encodeURIComponent(session)}/end`, {}, (v) => v, token);
  }

  jwks(): Promise<Jwks> {
    return this.#call('/.well-known/jwks.json', parseJwks);
  }
}
