/**
 * The session page's join, started as the app starts (hooks.client.ts) rather than once the
 * page's own code has loaded and mounted: the DTLS certificate, the keys, the invite exchange and
 * the signaling socket run while the browser fetches and compiles the rest of the app (and the
 * recorder's code, which is not part of the page's first load). The page takes the join that is
 * in flight for its link (once), or starts one itself.
 */
import { recordingEnabled } from '../replay/record-setting.ts';
import { join, type Joined } from './join.ts';

/** localStorage key prefix (+ session id) remembering that this browser was removed */
export const REMOVED_KEY = 'live-sessions:removed:';

let early: { link: string; joined: Promise<Joined> } | null = null;

/** The session id of an app path `/s/<id>`, or null. */
export function sessionOfPath(pathname: string): string | null {
  const m = /^\/s\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

function removed(session: string): boolean {
  try {
    return !!localStorage.getItem(REMOVED_KEY + session);
  } catch {
    return false;
  }
}

/** Starts joining when `location` is a session link (not for a browser removed from it: it never joins again). */
export function startEarlyJoin(location: { origin: string; pathname: string; hash: string }): void {
  const session = sessionOfPath(location.pathname);
  if (session === null || removed(session)) return;
  const joined = join(location.origin, session, location.hash);
  // the page reports a failure when it takes this join; until then it is not unhandled
  joined.catch(() => {});
  early = { link: `${location.origin} ${session} ${location.hash}`, joined };
  // the recorder's code too: the page starts it before its mesh, so fetch it beside the page's own
  if (recordingEnabled()) void import('../replay/live.ts').catch(() => {});
}

/** The join started early for this very link (each is taken once), or a new one. */
export function takeJoin(origin: string, session: string, hash: string): Promise<Joined> {
  const e = early;
  early = null;
  if (e && e.link === `${origin} ${session} ${hash}`) return e.joined;
  // another link's join: its signaling socket is not needed
  e?.joined.then((j) => j.socket.close(1000, 'left')).catch(() => {});
  return join(origin, session, hash);
}
