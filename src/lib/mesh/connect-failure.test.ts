import { describe, expect, it } from 'vitest';
import { connectFailure } from './connect-failure.ts';

const base = { relayOnly: false, hasTurn: true, localTypes: new Set(['host', 'srflx', 'relay']), iceError: null };

describe('why a connection failed', () => {
  it('names refused credentials first', () => {
    expect(connectFailure({ ...base, localTypes: new Set(['host']), iceError: { code: 401, url: 'turn:203.0.113.1:3478', text: 'Unauthorized' } })).toMatch(/refused our credentials \(401 Unauthorized\).*--turn-secret/);
  });
  it('an unreachable relay', () => {
    expect(connectFailure({ ...base, localTypes: new Set(['host']), iceError: { code: 701, url: 'turn:x:3478', text: '' } })).toMatch(/could not be reached \(701 at turn:x:3478\)/);
    expect(connectFailure({ ...base, localTypes: new Set(['host']) })).toMatch(/could not be reached: check/);
  });
  it('no relay at all', () => {
    expect(connectFailure({ ...base, hasTurn: false, localTypes: new Set(['host']) })).toMatch(/offers no TURN relay \(--turn-url\)/);
  });
  it('everything gathered and still nothing', () => {
    expect(connectFailure(base)).toMatch(/not even through the TURN relay/);
    expect(connectFailure({ ...base, relayOnly: true })).toMatch(/relay-only/);
  });
  it('only a TCP/TLS relay while the other side is libjuice (the host agent): UDP is blocked, said plainly', () => {
    const tcpOnly = { ...base, localTypes: new Set(['host', 'relay']), relayProtocols: new Set(['tcp']), remoteLibjuice: true };
    expect(connectFailure(tcpOnly)).toMatch(/^this network blocks UDP .*host agent cannot be reached over TURN\/TCP yet/);
    expect(connectFailure({ ...tcpOnly, relayOnly: true, relayProtocols: new Set(['tls']) })).toMatch(/blocks UDP/);
    // a UDP relay too, another browser, or no relay protocol known: not this case
    for (const f of [{ ...tcpOnly, relayProtocols: new Set(['tcp', 'udp']) }, { ...tcpOnly, remoteLibjuice: false }, { ...tcpOnly, relayProtocols: new Set<string>() }]) {
      expect(connectFailure(f)).toMatch(/not even through the TURN relay/);
    }
  });
});
