/**
 * Understands a session link pasted on the home page. Accepts a full link
 * (`https://host/s/ID?name=…#invite=…&key=…`) or one without the scheme/host (`/s/ID#…`).
 */
export type JoinTarget =
  /** same app: navigate inside the SPA to this path + query + fragment */
  | { kind: 'local'; path: string }
  /** a session on another server: a full page load */
  | { kind: 'remote'; href: string }
  | { kind: 'invalid'; reason: string };

import { SESSION_ID_RE } from '../protocol/credentials.ts';

const SESSION_PATH = /^\/s\/([^/]+)\/?$/;

export function parseJoinLink(input: string, currentOrigin: string): JoinTarget {
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
