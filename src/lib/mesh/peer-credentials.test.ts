/** When a lapsed credential is enforced: the timer's edge cases, with real timers. */
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_S, LAPSE_GRACE_S } from '../protocol/credentials.ts';
import type { Member } from './member.ts';
import { PeerCredentials } from './peer-credentials.ts';

/** The parts of a Member that expiry reads and acts on. */
function member(deadlineMs: number) {
  let closed: (detail: string) => void = () => {};
  const done = new Promise<string>((resolve) => (closed = resolve));
  const m = {
    peer: { closed: false },
    claims: { exp: deadlineMs / 1000 - CLOCK_SKEW_S - LAPSE_GRACE_S },
    expiry: undefined as ReturnType<typeof setTimeout> | undefined,
    close: (r: { detail: string }) => closed(r.detail)
  };
  return { m: m as unknown as Member, done };
}

describe('PeerCredentials.armExpiry', () => {
  it('drops the peer even when its timer fires before the deadline by the wall clock', async () => {
    const creds = new PeerCredentials('s', async () => Promise.reject(new Error('unused')), () => 0);
    const deadline = Date.now() + 80;
    const { m, done } = member(deadline);
    // a timer that fires early (here: at once, 80 ms before the deadline)
    creds.armExpiry(m, Date.now());
    const detail = await Promise.race([done, new Promise<string>((resolve) => setTimeout(() => resolve('still connected 2 s later'), 2000))]);
    expect(detail).toMatch(/expired/);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
  });
});
