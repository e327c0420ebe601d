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
});
