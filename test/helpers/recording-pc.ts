/**
 * An RTCPeerConnection class that keeps every description and candidate it is given by the other
 * side, so a test can check what a peer received (relay-only: no host address in any of it). It
 * observes and passes everything on unchanged.
 */
export function recordingPeerConnection(base: typeof RTCPeerConnection, onReceive: (text: string) => void): typeof RTCPeerConnection {
  return class extends base {
    override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      onReceive(d.sdp ?? '');
      return super.setRemoteDescription(d);
    }
    override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
      if (c?.candidate) onReceive(`a=${c.candidate}`);
      return super.addIceCandidate(c ?? undefined);
    }
  };
}

/** Lines of received SDP that give away an address other than the relay's (empty: none). */
export function leakedAddresses(received: string[], relayIp: string): string[] {
  const lines = received.flatMap((t) => t.split(/\r?\n/));
  return lines.filter((l) => {
    if (/^a=candidate:/.test(l)) return !/ typ relay /.test(l) || !l.includes(` ${relayIp} `) || !/ raddr 0\.0\.0\.0 rport 0/.test(l);
    if (/^c=IN IP[46] /.test(l)) return !/^c=IN IP4 0\.0\.0\.0$|^c=IN IP6 ::$/.test(l);
    return /\b(10|192\.168|172\.(1[6-9]|2\d|3[01]))\.\d+\.\d+/.test(l) && !/^o=/.test(l);
  });
}
