/**
 * Why a connection did not open, in words a person can act on: the relay refused the credentials,
 * could not be reached, or there is no relay while no direct path exists. Built from what the
 * connection saw while gathering (its candidate types, the browser's icecandidateerror events).
 */

export interface GatherFacts {
  /** the session is relay-only */
  relayOnly: boolean;
  /** TURN servers were configured for this connection */
  hasTurn: boolean;
  /** types of the local candidates gathered (host, srflx, relay…) */
  localTypes: ReadonlySet<string>;
  /** the last icecandidateerror: STUN/TURN error code (401 refused, 701 unreachable) */
  iceError: { code: number; url: string; text: string } | null;
  /** how our relay candidates reach the TURN server (RTCIceCandidate.relayProtocol: udp, tcp, tls) */
  relayProtocols?: ReadonlySet<string>;
  /** the other side's ICE agent is libjuice (node-datachannel: the host agent), from its SDP */
  remoteLibjuice?: boolean;
}

/**
 * True when the only relay we have goes over TCP/TLS (UDP to the relay failed or was not offered)
 * and the other side is libjuice: Chromium's checks sent through a TCP allocation carry an
 * ICE-CONTROLLED/-CONTROLLING tie-breaker of 0, which libjuice 1.x takes for "attribute absent"
 * and answers with 400, so such a pair never works (README, TURN).
 */
export function tcpRelayToLibjuice(f: GatherFacts): boolean {
  const p = f.relayProtocols ?? new Set<string>();
  return !!f.remoteLibjuice && f.localTypes.has('relay') && p.size > 0 && !p.has('udp');
}

export function connectFailure(f: GatherFacts): string {
  const e = f.iceError;
  if (e && (e.code === 401 || e.code === 403 || e.code === 438)) {
    return `the TURN relay ${e.url} refused our credentials (${e.code} ${e.text || 'Unauthorized'}): the signaling server's --turn-secret must match coturn's static-auth-secret, and the clocks must agree`;
  }
  if (f.hasTurn && !f.localTypes.has('relay')) {
    const why = e ? ` (${e.code}${e.text ? ` ${e.text}` : ''} at ${e.url})` : '';
    return `the TURN relay could not be reached${why}: check that it runs, that its ports are open (UDP and TCP), and that this network allows them`;
  }
  if (tcpRelayToLibjuice(f)) {
    return 'this network blocks UDP (the TURN relay answered only over TCP/TLS), and the host agent cannot be reached over TURN/TCP yet: join from a network that lets UDP out to the relay';
  }
  if (f.relayOnly) return 'this session is relay-only and no connection through the TURN relay succeeded';
  if (!f.hasTurn) return 'no direct path between the two networks (NAT or firewall), and the signaling server offers no TURN relay (--turn-url) to go around it';
  return 'no path worked, not even through the TURN relay: a firewall may block it';
}
