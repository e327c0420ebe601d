import { describe, expect, it } from 'vitest';
import { parseFromHost, parseFromPeer, parseToHost } from './control.ts';
import { parseClientSignal, parseEnvelope } from './signaling.ts';

describe('control messages', () => {
  it('parses each direction and refuses what does not belong to it', () => {
    expect(parseToHost('{"type":"term-sub","id":1,"from":5}')).toEqual({ type: 'term-sub', id: 1, from: 5 });
    expect(parseToHost('{"type":"term-open","cols":80,"rows":24}')).toEqual({ type: 'term-open', cols: 80, rows: 24 });
    expect(() => parseToHost('{"type":"terms","list":[]}')).toThrow(/unknown message type "terms" for the host/);
    expect(parseFromHost('{"type":"terms","list":[{"id":0,"title":"bash","cols":80,"rows":24,"exit":null}]}')).toMatchObject({ type: 'terms' });
    expect(() => parseFromPeer('{"type":"term-snapshot","id":0,"seq":1,"cols":80,"rows":24,"data":""}')).toThrow(/from a peer/);
    expect(parseFromPeer('{"type":"rename","name":"Bob"}')).toEqual({ type: 'rename', name: 'Bob' });
  });
  it('bounds numbers and strings', () => {
    expect(() => parseToHost('{"type":"term-resize","id":0,"cols":100000,"rows":24}')).toThrow(/"cols" must be an integer from 1 to 500/);
    expect(() => parseToHost('{"type":"term-sub","id":-1}')).toThrow(/"id"/);
    expect(() => parseFromPeer(JSON.stringify({ type: 'rename', name: 'x'.repeat(65) }))).toThrow(/longer than 64/);
    expect(() => parseFromPeer('not json')).toThrow(/not valid JSON/);
    expect(() => parseFromPeer('[1]')).toThrow(/JSON object/);
  });
  it('validates the signaling wire', () => {
    expect(parseClientSignal('{"type":"subscribe","topics":["abcdefgh12"]}')).toEqual({ type: 'subscribe', topics: ['abcdefgh12'] });
    expect(() => parseClientSignal('{"type":"subscribe","topics":["../x"]}')).toThrow(/session ids/);
    expect(() => parseClientSignal('{"type":"shout"}')).toThrow(/unknown signaling message type/);
    expect(() => parseEnvelope('{"type":"description","from":"a","to":"b","description":{"type":"pranswer","sdp":""}}')).toThrow(/offer or answer/);
  });
});
