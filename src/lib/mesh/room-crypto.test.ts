import { describe, expect, it } from 'vitest';
import { newRoomSecret, open, roomKey, seal } from './room-crypto.ts';

describe('room crypto', () => {
  it('round-trips and refuses other keys and tampering', async () => {
    const secret = newRoomSecret();
    const k = await roomKey(secret, 'session-aaaa');
    const sealed = await seal(k, 'hello offer');
    expect(sealed).not.toContain('hello');
    expect(await open(k, sealed)).toBe('hello offer');
    const other = await roomKey(secret, 'session-bbbb');
    await expect(open(other, sealed)).rejects.toThrow();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    await expect(open(k, tampered)).rejects.toThrow();
  });
  it('refuses a short or malformed secret with a clear message', async () => {
    await expect(roomKey('abc', 'session-aaaa')).rejects.toThrow(/too short/);
    await expect(roomKey('!!!', 'session-aaaa')).rejects.toThrow(/base64url/);
  });
});
