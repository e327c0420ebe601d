/** The sha-256 DTLS certificate fingerprint an SDP announces ("AB:CD:…"), upper-cased, or null. */
export function sdpFingerprint(sdp: string | undefined | null): string | null {
  const m = /^a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\s*$/m.exec(sdp ?? '');
  return m ? m[1].toUpperCase() : null;
}
