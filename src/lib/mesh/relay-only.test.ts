import { describe, expect, it } from 'vitest';
import { isRelayCandidate, relayOnlySdp } from './relay-only.ts';

// what node-datachannel writes into an answer with iceTransportPolicy 'relay' (found here)
const SDP = [
  'v=0',
  'o=rtc 123 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=application 40000 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 10.1.0.2',
  'a=candidate:1 1 UDP 2122317823 10.1.0.2 40000 typ host',
  'a=candidate:2 1 UDP 1686109951 203.0.113.7 40000 typ srflx raddr 10.1.0.2 rport 40000',
  'a=candidate:3 1 UDP 8331263 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 40000',
  'a=end-of-candidates',
  ''
].join('\r\n');

describe('relay-only filtering', () => {
  it('keeps only relay candidates and blanks the connection address', () => {
    const out = relayOnlySdp(SDP);
    expect(out).not.toMatch(/typ host|typ srflx|10\.1\.0\.2 40000 typ/);
    expect(out).toContain('198.51.100.1 50000 typ relay raddr 0.0.0.0 rport 0');
    expect(out).not.toContain('203.0.113.7');
    expect(out).toContain('c=IN IP4 0.0.0.0');
    expect(out).not.toContain('c=IN IP4 10.1.0.2');
    expect(out).toContain('a=end-of-candidates');
  });

  it('tells relay candidates from the others', () => {
    expect(isRelayCandidate('candidate:3 1 UDP 8331263 198.51.100.1 50000 typ relay raddr 0.0.0.0 rport 0')).toBe(true);
    expect(isRelayCandidate('candidate:1 1 udp 2122317823 10.1.0.2 40000 typ host generation 0')).toBe(false);
    expect(isRelayCandidate('candidate:2 1 udp 1686109951 203.0.113.7 40000 typ srflx raddr 10.1.0.2 rport 40000')).toBe(false);
    expect(isRelayCandidate('candidate:4 1 tcp 1518280447 10.1.0.2 9 typ host tcptype active')).toBe(false);
  });
});
