/**
 * The browser's first steps: read the link, bind a DTLS certificate, exchange the invite for a
 * credential, fetch the keys that verify peers, and derive the session key. The certificate and
 * the key derivation run while the invite exchange is in flight; the signaling socket opens as
 * soon as the credential is in.
 */
import type { CredentialResponse, Jwks } from '../protocol/api.ts';
import { UNDISCLOSED_NAME } from '../protocol/credentials.ts';
import { readLink, type LinkParts } from '../protocol/links.ts';
import { ApiClient } from '../mesh/api-client.ts';
import { makeOwnerKey, type OwnerKey } from '../mesh/owner-key.ts';
import { openSignalingSocket } from '../mesh/signaling-client.ts';
import { roomKey } from '../mesh/room-crypto.ts';

/** Lifetime of the page's DTLS certificate, ms (a day). */
export const CERT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface Joined {
  link: LinkParts;
  api: ApiClient;
  cert: RTCCertificate;
  fingerprint: string;
  cred: CredentialResponse;
  jwks: Jwks;
  key: CryptoKey;
  /** signs the owner's statements; the server binds it only into an owner's credential */
  ownerKey: OwnerKey;
  /** the signaling socket, opened with the credential as soon as it came (the mesh takes it) */
  socket: WebSocket;
}

/** The signaling server's WebSocket address for the app at `origin`. */
export function signalingUrl(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}/signal`;
}

export async function makeCertificate(): Promise<{ cert: RTCCertificate; fingerprint: string }> {
  // one page load's certificate: it need not outlive the day (Chrome's default is 30 days)
  const cert = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: CERT_LIFETIME_MS } as EcKeyGenParams);
  const fp = cert.getFingerprints().find((f) => f.algorithm === 'sha-256')?.value;
  if (!fp) throw new Error('This browser cannot create a WebRTC certificate with a sha-256 fingerprint.');
  return { cert, fingerprint: fp.toUpperCase() };
}

/** Browsers leave WebCrypto out of pages on plain http anywhere but localhost; say so plainly. */
export function secureContextProblem(origin: string): string | null {
  if (globalThis.crypto?.subtle) return null;
  return `This page needs a secure connection: open it over https:// (the server's operator puts TLS in front of it). Browsers turn off the encryption a session needs on plain http at ${origin}; only localhost is exempt.`;
}

/** Throws a sentence a user can act on (ApiClient's). */
export async function join(origin: string, session: string, hash: string): Promise<Joined> {
  const insecure = secureContextProblem(origin);
  if (insecure) throw new Error(insecure);
  const link = readLink(session, hash);
  const api = new ApiClient(origin);
  const [{ cert, fingerprint }, jwks, key, ownerKey] = await Promise.all([makeCertificate(), api.jwks(), roomKey(link.key, link.session), makeOwnerKey()]);
  // the server gets a placeholder: this person's name goes to peers only (`rename` on connect)
  const cred = await api.join(link.session, { invite: link.invite, name: UNDISCLOSED_NAME, fp: fingerprint, ck: ownerKey.jwk });
  // its handshake runs while the page's code loads and mounts, not after
  const socket = openSignalingSocket(signalingUrl(origin), cred.token);
  return { link, api, cert, fingerprint, cred, jwks, key, ownerKey, socket };
}
