import { describe, it, expect } from 'vitest';
import { parseJoinLink } from './join-link.ts';

const HERE = 'http://127.0.0.1:4000';

describe('parseJoinLink', () => {
  it('keeps a link to this server inside the app, with query and fragment', () => {
    expect(parseJoinLink(`  ${HERE}/s/abc_1234?name=Al#invite=i1&key=k1 `, HERE)).toEqual({
      kind: 'local',
      path: '/s/abc_1234?name=Al#invite=i1&key=k1'
    });
    expect(parseJoinLink('/s/abcdefgh#invite=i&key=k', HERE)).toEqual({ kind: 'local', path: '/s/abcdefgh#invite=i&key=k' });
  });

  it('loads a link to another server as a page', () => {
    expect(parseJoinLink('https://live.example.org/s/xyz-5678#invite=i&key=k', HERE)).toEqual({
      kind: 'remote',
      href: 'https://live.example.org/s/xyz-5678#invite=i&key=k'
    });
  });

  it('refuses what is not a session link, saying why', () => {
    for (const bad of ['', 'javascript:alert(1)//s/x#invite=i&key=k', `${HERE}/replay#invite=i&key=k`, `${HERE}/s/abcdefgh`, `${HERE}/s/abcdefgh#invite=i`, `${HERE}/s/short#invite=i&key=k`]) {
      const r = parseJoinLink(bad, HERE);
      expect(r.kind, bad).toBe('invalid');
      if (r.kind === 'invalid') expect(r.reason.length).toBeGreaterThan(10);
    }
  });
});
