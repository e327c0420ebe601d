/**
 * The host's DTLS certificate. Credentials are bound to a certificate fingerprint, so the host
 * must use one certificate for all its connections; node-datachannel takes it as PEM files.
 * Made with openssl (ECDSA P-256, 1 day) in a private temp directory removed on dispose.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DtlsCertificate {
  certFile: string;
  keyFile: string;
  /** sha-256 fingerprint, "AB:CD:…" */
  fingerprint: string;
  dispose(): void;
}

export function makeCertificate(): DtlsCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'live-sessions-dtls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=live-sessions', '-keyout', keyFile, '-out', certFile],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not create the DTLS certificate with openssl (is openssl installed?): ${(e as Error).message}`);
  }
  const fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256.toUpperCase();
  return { certFile, keyFile, fingerprint, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
