/** The browser's first steps: read the link, bind a DTLS certificate, exchange the invite. */
import type { CredentialResponse } from '../protocol/api.ts';
import { SESSION_ID_RE } from '../protocol/credentials.ts';

/** Lifetime of the page's DTLS certificate, ms (a day). */
export const CERT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface LinkParts {
  session: string;
  invite: string;
  key: string;
}

/** Reads `#invite=…&key=…`; throws a sentence a user can act on. */
export function parseLink(session: string, hash: string): LinkParts {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const invite = p.get('invite') ?? '';
  const key = p.get('key') ?? '';
  if (!SESSION_ID_RE.test(session)) throw new Error('This is not a session link (the session id is malformed). Ask for the link again.');
  if (!invite || !key) throw new Error('This link is incomplete: the part after # (invite and key) is missing. Copy the whole link and open it again.');
  return { session, invite, key };
}

export async function makeCertificate(): Promise<{ cert: RTCCertificate; fingerprint: string }> {
  // one page load's certificate: it need not outlive the day (Chrome's default is 30 days)
  const cert = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: CERT_LIFETIME_MS } as EcKeyGenParams);
  const fp = cert.getFingerprints().find((f) => f.algorithm === 'sha-256')?.value;
  if (!fp) throw new Error('This browser cannot create a WebRTC certificate with a sha-256 fingerprint.');
  return { cert, fingerprint: fp.toUpperCase() };
}

export async function exchangeInvite(origin: string, link: LinkParts, name: string, fp: string): Promise<CredentialResponse> {
  let res: Response;
  try {
    res = await fetch(`${origin}/api/sessions/${encodeURIComponent(link.session)}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite: link.invite, name, fp })
    });
  } catch {
    throw new Error('Cannot reach the signaling server. Check your connection and retry.');
  }
  const body = (await res.json().catch(() => ({}))) as Partial<CredentialResponse> & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `The signaling server refused to let you in (HTTP ${res.status}).`);
  return body as CredentialResponse;
}
