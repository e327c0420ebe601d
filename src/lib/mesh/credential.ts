/**
 * Holds this participant's credential and refreshes it before it expires (POST
 * /api/sessions/:id/refresh). While signaling is unreachable it keeps retrying; peers already
 * connected are unaffected, since credentials are checked when a connection opens.
 */
import type { CredentialResponse, IceServer } from '../protocol/api.ts';
import type { ApiClient } from './api-client.ts';
import { Emitter } from './events.ts';
import { REFRESH_BEFORE_S } from '../protocol/credentials.ts';

/** Retry interval while a refresh fails, ms. */
export const REFRESH_RETRY_MS = 10_000;

export class Credential {
  token: string;
  exp: number;
  /** STUN/TURN servers with this credential's TURN password (renewed with it) */
  ice: IceServer[];
  /** the session is relay-only */
  relay: boolean;
  #api: ApiClient;
  #session: string;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** a refreshed credential (its token) */
  readonly refreshed = new Emitter<string>();
  #disposed = false;
  /** display name sent with the next refresh */
  name: string;
  #fp: string | undefined;

  constructor(api: ApiClient, r: CredentialResponse, fp?: string) {
    this.#api = api;
    this.#session = r.session;
    this.token = r.token;
    this.exp = r.exp;
    this.ice = r.ice;
    this.relay = r.relay;
    this.name = r.name;
    this.#fp = fp;
    this.#schedule();
  }


  #schedule(ms = Math.max(1_000, (this.exp - REFRESH_BEFORE_S) * 1000 - Date.now())): void {
    if (this.#disposed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), ms);
  }

  /** What a new connection uses: these ICE servers, and only relays in a relay-only session. */
  rtcConfig(extra: RTCConfiguration = {}): RTCConfiguration {
    return { ...extra, iceServers: this.ice, iceTransportPolicy: this.relay ? 'relay' : 'all' };
  }

  async refresh(): Promise<boolean> {
    try {
      const r = await this.#api.refresh(this.#session, this.token, { name: this.name, fp: this.#fp });
      this.token = r.token;
      this.exp = r.exp;
      this.ice = r.ice;
      this.relay = r.relay;
      this.refreshed.fire(r.token);
      this.#schedule();
      return true;
    } catch {
      this.#schedule(REFRESH_RETRY_MS);
      return false;
    }
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.refreshed.dispose();
  }
}
