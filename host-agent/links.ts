import type { InviteRole } from '../src/lib/protocol/roles.ts';

/**
 * A share link: the invite secret (exchanged at the API for a credential) and the session key
 * (seals signaling payloads) both live in the #fragment, which browsers never send to a server.
 */
export function sessionLink(base: string, session: string, invite: string, key: string): string {
  return `${base.replace(/\/$/, '')}/s/${encodeURIComponent(session)}#invite=${encodeURIComponent(invite)}&key=${encodeURIComponent(key)}`;
}

export function sessionLinks(base: string, session: string, invites: Record<InviteRole, string>, key: string): Record<InviteRole, string> {
  return {
    owner: sessionLink(base, session, invites.owner, key),
    editor: sessionLink(base, session, invites.editor, key),
    viewer: sessionLink(base, session, invites.viewer, key)
  };
}
