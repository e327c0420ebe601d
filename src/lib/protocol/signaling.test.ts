import { describe, expect, it } from 'vitest';
import { parseClientSignal, parseEnvelope } from './signaling.ts';

describe('signaling wire', () => {
  it('validates client messages and sealed envelopes', () => {
    expect(parseClientSignal('{"type":"subscribe","topics":["abcdefgh12"]}')).toEqual({ type: 'subscribe', topics: ['abcdefgh12'] });
    expect(() => parseClientSignal('{"type":"subscribe","topics":["../x"]}')).toThrow(/session ids/);
    expect(() => parseClientSignal('{"type":"shout"}')).toThrow(/unknown signaling message type/);
    expect(() => parseEnvelope('{"type":"description","from":"a","to":"b","description":{"type":"pranswer","sdp":""}}')).toThrow(/offer or answer/);
  });
});
