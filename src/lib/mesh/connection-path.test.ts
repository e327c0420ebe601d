import { describe, expect, it } from 'vitest';
import { classify, describePath } from './connection-path.ts';

// field sets as Chromium and node-datachannel's polyfill report them
const chrome = (candidateType: string, protocol = 'udp', relayProtocol?: string) => ({ candidateType, protocol, relayProtocol, address: '192.0.2.1' });
const ndc = (candidateType: string) => ({ candidateType, ip: '192.0.2.1', port: 1 });

describe('connection path', () => {
  it('names the path from the selected pair', () => {
    expect(classify(chrome('host'), chrome('host'), 0.0012)).toEqual({ kind: 'direct', transport: 'udp', rttMs: 1.2 });
    expect(classify(chrome('srflx'), chrome('host'), 0.02).kind).toBe('stun');
    expect(classify(chrome('prflx'), chrome('srflx'), 0.02).kind).toBe('stun');
    expect(classify(chrome('relay', 'udp', 'tcp'), chrome('srflx'), 0.03)).toEqual({ kind: 'relay', transport: 'tcp', rttMs: 30 });
    expect(classify(chrome('host'), chrome('relay'), undefined)).toEqual({ kind: 'relay', transport: 'udp', rttMs: null });
  });

  it('reads the polyfill’s milliseconds as milliseconds', () => {
    expect(classify(ndc('relay'), ndc('host'), 7)).toEqual({ kind: 'relay', transport: 'udp', rttMs: 7 });
  });

  it('says it in words', () => {
    expect(describePath({ kind: 'direct', transport: 'udp', rttMs: 1 })).toBe('direct');
    expect(describePath({ kind: 'relay', transport: 'tls', rttMs: 1 })).toBe('TURN relay over TLS');
  });
});
