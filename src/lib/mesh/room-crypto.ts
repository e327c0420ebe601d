/**
 * End-to-end encryption of everything peers say through the signaling relay (SDP, candidates,
 * announces). The key comes from the secret in the link's #fragment, which no server ever sees,
 * so the operator of the signaling server cannot read offers, fingerprints or names.
 * AES-GCM-256 with a key derived by HKDF-SHA-256 (salt: session id); the wire form is
 * base64(iv ‖ ciphertext).
 */
const IV_BYTES = 12;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A new random session key, as it goes into the link (base64url, 32 bytes). */
export function newRoomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function roomKey(secret: string, session: string): Promise<CryptoKey> {
  const raw = fromBase64Url(secret);
  if (raw.length < 16) throw new Error('the session key in the link is too short: copy the whole link, including the part after #');
  const base = await crypto.subtle.importKey('raw', raw as BufferSource, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode(session) as BufferSource, info: enc.encode('live-sessions signaling v1') as BufferSource },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  );
}

export async function seal(key: CryptoKey, text: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(text) as BufferSource));
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return toBase64Url(out);
}

/** Throws when the payload was not sealed with this key (another session, or tampered). */
export async function open(key: CryptoKey, data: string): Promise<string> {
  const raw = fromBase64Url(data);
  if (raw.length <= IV_BYTES) throw new Error('sealed payload too short');
  const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: raw.subarray(0, IV_BYTES) as BufferSource }, key, raw.subarray(IV_BYTES) as BufferSource);
  return dec.decode(pt);
}

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
