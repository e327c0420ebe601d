/**
 * The share link: `BASE/s/SESSION#invite=SECRET&key=ROOMKEY`. The invite secret (exchanged at the
 * API for a credential) and the session key (seals signaling payloads) both live in the
 * #fragment, which browsers never send to a server. `?name=` and `?a11y=1` may stand before the #.
 */
import { SESSION_ID_RE } from './credentials.ts';
import type { InviteRole } from './roles.ts';

export interface LinkParts {
  session: string;
  invite: string;
  key: string;
}

export function writeLink(base: string, p: LinkParts): string {
  return `${base.replace(/\/$/, '')}/s/${encodeURIComponent(p.session)}#invite=${encodeURIComponent(p.invite)}&key=${encodeURIComponent(p.key)}`;
}

/** One link per invite role, all with the same session key. */
export function writeLinks(base: string, session: string, invites: Record<InviteRole, string>, key: string): Record<InviteRole, string> {
  const link = (invite: string) => writeLink(base, { session, invite, key });
  return { owner: link(invites.owner), editor: link(invites.editor), viewer: link(invites.viewer) };
}

/** Reads the session page's id and `#invite=…&key=…`; throws a sentence a user can act on. */
export function readLink(session: string, hash: string): LinkParts {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const invite = p.get('invite') ?? '';
  const key = p.get('key') ?? '';
  if (!SESSION_ID_RE.test(session)) throw new Error('This is not a session link (the session id is malformed). Ask for the link again.');
  if (!invite || !key) throw new Error('This link is incomplete: the part after # (invite and key) is missing. Copy the whole link and open it again.');
  return { session, invite, key };
}

export type JoinTarget =
  /** same app: navigate inside the SPA to this path + query + fragment */
  | { kind: 'local'; path: string }
  /** a session on another server: a full page load */
  | { kind: 'remote'; href: string }
  | { kind: 'invalid'; reason: string };

const SESSION_PATH = /^\/s\/([^/]+)\/?$/;

/** Understands a link pasted on the home page: a full link, or one without scheme and host. */
export function readPastedLink(input: string, currentOrigin: string): JoinTarget {
  const text = input.trim();
  if (!text) return { kind: 'invalid', reason: 'Paste the link you were sent.' };
  let url: URL;
  try {
    url = new URL(text, currentOrigin);
  } catch {
    return { kind: 'invalid', reason: 'That is not a link. It should look like https://server/s/abc123#invite=…&key=….' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'invalid', reason: 'Only http and https links can be opened.' };
  }
  const id = SESSION_PATH.exec(url.pathname)?.[1];
  if (!id || !SESSION_ID_RE.test(id)) {
    return { kind: 'invalid', reason: 'That link does not point at a session: its path should be /s/ followed by the session id (8 to 64 letters, digits, - or _).' };
  }
  const fragment = new URLSearchParams(url.hash.slice(1));
  if (!fragment.get('invite') || !fragment.get('key')) {
    return { kind: 'invalid', reason: 'The link is missing its #invite=…&key=… part. Copy the whole link, including everything after #.' };
  }
  if (url.origin === currentOrigin) return { kind: 'local', path: url.pathname + url.search + url.hash };
  return { kind: 'remote', href: url.href };
}

/** The invite and key of a full link (for programs that were handed one). */
export function readFullLink(href: string): LinkParts {
  const url = new URL(href);
  const id = decodeURIComponent(SESSION_PATH.exec(url.pathname)?.[1] ?? '');
  return readLink(id, url.hash);
}
