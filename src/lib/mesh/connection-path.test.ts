import { describe, expect, it } from 'vitest';
import { classify, describePath, isPrivateAddress } from './connection-path.ts';

// field sets as Chromium and node-datachannel's polyfill report them
const chrome = (candidateType: string, protocol = 'udp', relayProtocol?: string, address = '192.0.2.1') => ({ candidateType, protocol, relayProtocol, address });
const ndc = (candidateType: string, ip = '192.0.2.1') => ({ candidateType, ip, port: 1 });

describe('connection path', () => {
  it('names the path from the selected pair', () => {
    expect(classify(chrome('host'), chrome('host'), 0.0012)).toEqual({ kind: 'direct', transport: 'udp', rttMs: 1.2 });
    expect(classify(chrome('srflx'), chrome('host'), 0.02).kind).toBe('stun');
    expect(classify(chrome('prflx'), chrome('srflx'), 0.02).kind).toBe('stun');
    expect(classify(chrome('relay', 'udp', 'tcp'), chrome('srflx'), 0.03)).toEqual({ kind: 'relay', transport: 'tcp', rttMs: 30 });
    expect(classify(chrome('host'), chrome('relay'), undefined)).toEqual({ kind: 'relay', transport: 'udp', rttMs: null });
  });

  it('a peer-reflexive pair between private addresses is a LAN, not a NAT', () => {
    // Chromium hides its host address behind an mDNS name: the other side sees it as prflx
    expect(classify(chrome('host', 'udp', undefined, '192.168.1.20'), chrome('prflx', 'udp', undefined, '192.168.1.30'), 0.001).kind).toBe('direct');
    expect(classify(ndc('host', '10.0.0.5'), ndc('prflx', '10.0.0.6'), 1).kind).toBe('direct');
    expect(classify(chrome('prflx', 'udp', undefined, 'fd00::5'), chrome('host', 'udp', undefined, 'fe80::1'), 0.001).kind).toBe('direct');
    expect(classify(chrome('prflx', 'udp', undefined, '172.16.0.9'), chrome('host', 'udp', undefined, '172.31.255.1'), 0.001).kind).toBe('direct');
    // one public side: the checks found a NAT's mapping
    expect(classify(chrome('host', 'udp', undefined, '10.0.0.5'), chrome('prflx', 'udp', undefined, '203.0.113.7'), 0.02).kind).toBe('stun');
    expect(classify(chrome('prflx', 'udp', undefined, '172.32.0.1'), chrome('host', 'udp', undefined, '10.0.0.1'), 0.02).kind).toBe('stun');
    // Chromium hides its own prflx address (as seen on a page talking to a host agent on a LAN): the
    // other side's private address decides; with nothing known, NAT is not ruled out
    expect(classify(chrome('prflx', 'udp', undefined, ''), chrome('host', 'udp', undefined, '10.203.0.2'), 0.001).kind).toBe('direct');
    expect(classify(chrome('prflx', 'udp', undefined, ''), chrome('host', 'udp', undefined, '198.51.100.4'), 0.02).kind).toBe('stun');
    expect(classify({ candidateType: 'prflx' }, { candidateType: 'prflx' }, 0.02).kind).toBe('stun');
    // server-reflexive stays NAT, whatever the addresses
    expect(classify(chrome('srflx', 'udp', undefined, '10.0.0.5'), chrome('host', 'udp', undefined, '10.0.0.6'), 0.02).kind).toBe('stun');
  });

  it('knows private, link-local and loopback addresses', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.9.9', '192.168.0.1', '127.0.0.1', '169.254.1.1', '::1', 'fd12:3456::1', 'fc00::1', 'fe80::1', '::ffff:192.168.1.1']) expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['203.0.113.1', '172.15.0.1', '172.32.0.1', '192.169.0.1', '8.8.8.8', '2001:db8::1', '', 'abc.local']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('reads the polyfill’s milliseconds as milliseconds', () => {
    expect(classify(ndc('relay'), ndc('host'), 7)).toEqual({ kind: 'relay', transport: 'udp', rttMs: 7 });
  });

  it('says it in words', () => {
    expect(describePath({ kind: 'direct', transport: 'udp', rttMs: 1 })).toBe('direct');
    expect(describePath({ kind: 'relay', transport: 'tls', rttMs: 1 })).toBe('TURN relay over TLS');
  });
});
