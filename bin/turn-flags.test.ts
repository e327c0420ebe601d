import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { parseSignalArgs } from './signal.ts';

const dir = mkdtempSync(join(tmpdir(), 'ls-turn-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = '0123456789abcdef0123';

describe('signal --turn-url / --turn-secret / --stun-url', () => {
  it('takes repeated URLs beside the other flags', () => {
    const args = parseSignalArgs(['--port', '0', '--turn-url', 'turn:a:3478', '--turn-url=turns:a:5349?transport=tcp', '--stun-url', 'stun:a:3478', '--turn-secret', SECRET, '--no-state'], {});
    expect(args.port).toBe(0);
    expect(args.stateDir).toBeNull();
    expect(args.turn).toEqual({ turnUrls: ['turn:a:3478', 'turns:a:5349?transport=tcp'], stunUrls: ['stun:a:3478'], secret: SECRET, ttlS: undefined });
    expect(parseSignalArgs(['--no-state'], {}).turn).toBeUndefined();
  });

  it('reads the secret from a file (trimmed)', () => {
    const f = join(dir, 'secret');
    writeFileSync(f, `${SECRET}\n`);
    expect(parseSignalArgs(['--no-state', '--turn-url', 'turn:a', '--turn-secret-file', f], {}).turn?.secret).toBe(SECRET);
  });

  it('says what is wrong', () => {
    const msg = (argv: string[]) => {
      try {
        parseSignalArgs(['--no-state', ...argv], {});
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg(['--turn-url'])).toMatch(/--turn-url needs a value/);
    // a generated secret may start with "-": it goes as --turn-secret=VALUE, and the message says so
    expect(msg(['--turn-url', 'turn:a', '--turn-secret', '-1E8R3x'])).toMatch(/--turn-secret needs a value \(one that starts with "-" goes as --turn-secret=VALUE\)/);
    expect(parseSignalArgs(['--no-state', '--turn-url', 'turn:a', `--turn-secret=-${SECRET}`], {}).turn?.secret).toBe(`-${SECRET}`);
    expect(msg(['--turn-url', 'turn:a'])).toMatch(/needs --turn-secret/);
    expect(msg(['--turn-url', 'http://a', '--turn-secret', SECRET])).toMatch(/must look like turn:/);
    expect(msg(['--turn-url', 'turn:a', '--turn-secret-file', join(dir, 'missing')])).toMatch(/cannot read it \(ENOENT\)/);
    expect(msg(['--turn-url', 'turn:a', '--turn-secret', SECRET, '--turn-secret-file', 'x'])).toMatch(/once/);
  });
});
