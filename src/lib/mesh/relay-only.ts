/**
 * Relay-only sessions: a peer uses `iceTransportPolicy: 'relay'` and sends nothing but relay
 * candidates, so no participant learns another's address. The policy alone is not enough:
 * node-datachannel still writes its host and server-reflexive candidates into the descriptions it
 * makes, so every description and candidate is filtered here before it leaves.
 */

/** Whether an ICE candidate line (`candidate:… typ relay …`) is a TURN relay candidate. */
export function isRelayCandidate(candidate: string): boolean {
  return /\styp\s+relay(\s|$)/.test(candidate);
}

/** A relay candidate without its related address (`raddr`: the sender's NAT-mapped address),
 * which the other side does not need. */
export function scrubRelayCandidate(candidate: string): string {
  return candidate.replace(/\sraddr\s+\S+\s+rport\s+\d+/, ' raddr 0.0.0.0 rport 0');
}

/** The description without non-relay candidates, and without an address in its `c=` lines
 * (ICE ignores them; some stacks put the host's address there). */
export function relayOnlySdp(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('a=candidate:') || isRelayCandidate(line))
    .map((line) => (line.startsWith('a=candidate:') ? scrubRelayCandidate(line) : line))
    .map((line) => (/^c=IN IP6 /.test(line) ? 'c=IN IP6 ::' : /^c=IN IP4 /.test(line) ? 'c=IN IP4 0.0.0.0' : line))
    .join('\r\n');
}
