import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCertificate } from './cert.ts';

describe('DTLS certificate', () => {
  it('removes the key directory a killed host left behind, and its own on dispose', () => {
    // a pid that cannot be running (above the kernel's pid_max default of 4194304)
    const left = join(tmpdir(), 'live-sessions-dtls-4999999-abc123');
    mkdirSync(left, { recursive: true });
    writeFileSync(join(left, 'key.pem'), 'secret');
    const cert = makeCertificate();
    expect(existsSync(left)).toBe(false);
    expect(existsSync(cert.keyFile)).toBe(true);
    cert.dispose();
    expect(existsSync(cert.keyFile)).toBe(false);
  });
});
