/**
 * The owner's invite links (beyond the three default ones): make one with a role, a lifetime and a
 * number of uses, list them, revoke them. The server issues only the secret; the link is composed
 * here with the session key this page already holds (in the fragment, never sent).
 */
import type { InviteInfo } from '../protocol/api.ts';
import { writeLink } from '../protocol/links.ts';
import type { MadeInviteRole } from '../protocol/roles.ts';
import type { ApiClient } from '../mesh/api-client.ts';

/** Lifetime of the host links the owner's page makes ("Attach a host agent"), s. */
export const HOST_INVITE_TTL_S = 15 * 60;

export class InviteList {
  list = $state<InviteInfo[]>([]);
  /** links made on this page, by invite id (the server never returns a secret twice) */
  links = $state<Record<string, string>>({});
  error = $state<string | null>(null);
  #api: ApiClient;
  #session: string;
  #key: string;
  #token: () => string;

  constructor(api: ApiClient, session: string, key: string, token: () => string) {
    this.#api = api;
    this.#session = session;
    this.#key = key;
    this.#token = token;
  }

  async #do<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      this.error = null;
      return await fn();
    } catch (e) {
      this.error = (e as Error).message;
      return undefined;
    }
  }

  async refresh(): Promise<void> {
    const list = await this.#do(() => this.#api.invites(this.#session, this.#token()));
    if (list) this.list = list;
  }

  /** Makes a link; returns it. */
  async create(role: MadeInviteRole, ttlS: number, uses?: number): Promise<string | undefined> {
    const r = await this.#do(() => this.#api.createInvite(this.#session, this.#token(), { role, ttl: ttlS, uses }));
    if (!r) return undefined;
    const link = writeLink(location.origin, { session: this.#session, invite: r.invite, key: this.#key });
    this.links = { ...this.links, [r.info.id]: link };
    await this.refresh();
    return link;
  }

  async revoke(id: string): Promise<void> {
    await this.#do(() => this.#api.revokeInvite(this.#session, this.#token(), id));
    await this.refresh();
  }
}
