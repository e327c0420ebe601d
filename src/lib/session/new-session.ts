/**
 * "New session" in the web app: a session without a host agent, created by this browser, which is
 * its owner. The links are made here (the session key is born in this browser and never reaches the
 * server) and remembered in this browser, so the owner can share them from the session page; a host
 * agent can join later.
 */
import { writeLinks } from '../protocol/links.ts';
import type { ShareLinks } from '../protocol/session.ts';
import { ApiClient } from '../mesh/api-client.ts';
import { newRoomSecret } from '../mesh/room-crypto.ts';

const key = (session: string) => `live-sessions:links:${session}`;

/** Creates the session and returns the owner's link (the page then opens it, as anyone would). */
export async function newBrowserSession(origin: string, name: string): Promise<string> {
  const created = await new ApiClient(origin).createSession({ role: 'owner', name });
  const links = writeLinks(origin, created.session, created.invites, newRoomSecret());
  try {
    localStorage.setItem(key(created.session), JSON.stringify(links));
  } catch {
    // storage disabled: the owner link still works; the others cannot be shown later
  }
  return links.owner;
}

/** The links this browser made for `session`, if it created it. */
export function rememberedLinks(session: string): ShareLinks {
  try {
    const o = JSON.parse(localStorage.getItem(key(session)) ?? '{}') as Record<string, unknown>;
    const out: ShareLinks = {};
    for (const role of ['owner', 'editor', 'viewer'] as const) if (typeof o[role] === 'string') out[role] = o[role];
    return out;
  } catch {
    return {};
  }
}
