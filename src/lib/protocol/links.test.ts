import { describe, it, expect } from 'vitest';
import { readFullLink, readLink, readPastedLink, writeLink, writeLinks } from './links.ts';

const HERE = 'http://127.0.0.1:4000';

describe('readPastedLink', () => {
  it('keeps a link to this server inside the app, with query and fragment', () => {
    expect(readPastedLink(`  ${HERE}/s/abc_1234?name=Al#invite=i1&key=k1 `, HERE)).toEqual({
      kind: 'local',
      path: '/s/abc_1234?name=Al#invite=i1&key=k1'
    });
    expect(readPastedLink('/s/abcdefgh#invite=i&key=k', HERE)).toEqual({ kind: 'local', path: '/s/abcdefgh#invite=i&key=k' });
  });

  it('loads a link to another server as a page', () => {
    expect(readPastedLink('https://live.example.org/s/xyz-5678#invite=i&key=k', HERE)).toEqual({
      kind: 'remote',
      href: 'https://live.example.org/s/xyz-5678#invite=i&key=k'
    });
  });

  it('refuses what is not a session link, saying why', () => {
    for (const bad of ['', 'javascript:alert(1)//s/x#invite=i&key=k', `${HERE}/replay#invite=i&key=k`, `${HERE}/s/abcdefgh`, `${HERE}/s/abcdefgh#invite=i`, `${HERE}/s/short#invite=i&key=k`]) {
      const r = readPastedLink(bad, HERE);
      expect(r.kind, bad).toBe('invalid');
      if (r.kind === 'invalid') expect(r.reason.length).toBeGreaterThan(10);
    }
  });
});

describe('writeLink / readLink', () => {
  it('round-trips the session, invite and key through the fragment', () => {
    const parts = { session: 'abcdefgh12', invite: 'in/v+ite', key: 'k&ey=' };
    const link = writeLink('https://signal.example.com/', parts);
    expect(link).toBe('https://signal.example.com/s/abcdefgh12#invite=in%2Fv%2Bite&key=k%26ey%3D');
    expect(readFullLink(link)).toEqual(parts);
    const all = writeLinks('http://x', 'abcdefgh12', { owner: 'o', editor: 'e', viewer: 'v' }, 'k');
    expect(readFullLink(all.viewer)).toEqual({ session: 'abcdefgh12', invite: 'v', key: 'k' });
  });
  it('says what is missing from a link', () => {
    expect(() => readLink('abcdefgh12', '#invite=x')).toThrow(/incomplete/);
    expect(() => readLink('../etc', '#invite=x&key=y')).toThrow(/malformed/);
  });
});
