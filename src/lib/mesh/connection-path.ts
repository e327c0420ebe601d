/**
 * How a connection reached the other side, from the selected ICE candidate pair (getStats): both
 * ends' own addresses (`direct`, also a peer-reflexive pair between private addresses: a LAN),
 * through a NAT found by STUN or by the checks themselves (`stun`: server-reflexive, or
 * peer-reflexive with a public address), or through a TURN relay (`relay`), and over which transport.
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
  const kind = pathKind(local, remote);
  // a local relay says how it reaches the TURN server; otherwise the pair's own protocol
  const proto = String((local.candidateType === 'relay' ? local.relayProtocol : undefined) ?? local.protocol ?? 'udp').toLowerCase();
  const transport: PathTransport = proto === 'tls' ? 'tls' : proto === 'tcp' ? 'tcp' : 'udp';
  // W3C stats give seconds; node-datachannel's polyfill passes libdatachannel's milliseconds
  const rtt = typeof rttS === 'number' && Number.isFinite(rttS) && rttS >= 0 ? rttS : null;
  // (W3C candidate stats always have `protocol`; the polyfill's do not)
  const rttMs = rtt === null ? null : 'protocol' in local ? rtt * 1000 : rtt;
  return { kind, transport, rttMs: rttMs === null ? null : Math.round(rttMs * 10) / 10 };
}

/**
 * By the pair's actual kinds: a relay on either side is `relay`; a server-reflexive one is `stun`. A
 * peer-reflexive candidate is only an address the checks saw that nobody announced (on a LAN: the
 * other side's mDNS name, not resolved), so it says NAT only when a known address of the pair is public.
 */
function pathKind(local: Record<string, unknown>, remote: Record<string, unknown>): PathKind {
  const types = [local.candidateType, remote.candidateType];
  if (types.includes('relay')) return 'relay';
  if (types.includes('srflx')) return 'stun';
  if (!types.includes('prflx')) return 'direct';
  // Chromium hides its own prflx address (""): reaching the other side's private address needs no
  // NAT between us (private addresses do not route across one), so what is known decides
  const known = [addressOf(local), addressOf(remote)].filter(Boolean);
  return known.length > 0 && known.every(isPrivateAddress) ? 'direct' : 'stun';
}

/** W3C stats name it `address`, the polyfill `ip`. */
function addressOf(c: Record<string, unknown>): string {
  const a = c.address ?? c.ip;
  return typeof a === 'string' ? a : '';
}

/** Private, link-local or loopback (RFC 1918, RFC 4193, RFC 4291): a path between two of these crosses no NAT. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip.replace(/^::ffff:/i, ''));
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  const v6 = ip.toLowerCase();
  return v6 === '::1' || /^f[cd][0-9a-f]{2}:/.test(v6) || /^fe[89ab][0-9a-f]:/.test(v6);
}

/** For people: "direct", "via STUN", "TURN relay (TCP)"… */
export function describePath(p: ConnectionPath): string {
  const label = p.kind === 'direct' ? 'direct' : p.kind === 'stun' ? 'direct via NAT (STUN)' : 'TURN relay';
  const tr = p.transport === 'udp' ? '' : ` over ${p.transport.toUpperCase()}`;
  return `${label}${tr}`;
}
