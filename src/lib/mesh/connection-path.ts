/**
 * How a connection reached the other side, from the selected ICE candidate pair (getStats): both
 * ends' own addresses (`direct`), through a NAT found by STUN or by the checks themselves
 * (`stun`: server- or peer-reflexive), or through a TURN relay (`relay`), and over which transport.
 * Works with the browser's stats and with node-datachannel's polyfill (which reports fewer fields).
 */

export type PathKind = 'direct' | 'stun' | 'relay';
export type PathTransport = 'udp' | 'tcp' | 'tls';

export interface ConnectionPath {
  kind: PathKind;
  transport: PathTransport;
  /** round-trip time of the selected pair, ms (null until measured) */
  rttMs: number | null;
}

type Stat = Record<string, unknown> & { id: string; type: string };

/** What the selected pair says, or null while none is selected. */
export async function connectionPath(pc: RTCPeerConnection): Promise<ConnectionPath | null> {
  const report = await pc.getStats();
  const stats = new Map<string, Stat>();
  report.forEach((s: Stat) => stats.set(s.id, s));
  const all = [...stats.values()];
  const transport = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    (transport && stats.get(transport.selectedCandidatePairId as string)) ??
    all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId as string);
  const remote = stats.get(pair.remoteCandidateId as string);
  if (!local || !remote) return null;
  return classify(local, remote, pair.currentRoundTripTime);
}

/** Exported for the tests: the classification alone. */
export function classify(local: Record<string, unknown>, remote: Record<string, unknown>, rttS: unknown): ConnectionPath {
  const types = [local.candidateType, remote.candidateType];
  const kind: PathKind = types.includes('relay') ? 'relay' : types.includes('srflx') || types.includes('prflx') ? 'stun' : 'direct';
  // a local relay says how it reaches the TURN server; otherwise the pair's own protocol
  const proto = String((local.candidateType === 'relay' ? local.relayProtocol : undefined) ?? local.protocol ?? 'udp').toLowerCase();
  const transport: PathTransport = proto === 'tls' ? 'tls' : proto === 'tcp' ? 'tcp' : 'udp';
  // W3C stats give seconds; node-datachannel's polyfill passes libdatachannel's milliseconds
  const rtt = typeof rttS === 'number' && Number.isFinite(rttS) && rttS >= 0 ? rttS : null;
  // (W3C candidate stats always have `protocol`; the polyfill's do not)
  const rttMs = rtt === null ? null : 'protocol' in local ? rtt * 1000 : rtt;
  return { kind, transport, rttMs: rttMs === null ? null : Math.round(rttMs * 10) / 10 };
}

/** For people: "direct", "via STUN", "TURN relay (TCP)"… */
export function describePath(p: ConnectionPath): string {
  const label = p.kind === 'direct' ? 'direct' : p.kind === 'stun' ? 'direct via NAT (STUN)' : 'TURN relay';
  const tr = p.transport === 'udp' ? '' : ` over ${p.transport.toUpperCase()}`;
  return `${label}${tr}`;
}
