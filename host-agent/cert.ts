/**
 * The host's DTLS certificate. Credentials are bound to a certificate fingerprint, so the host
 * must use one certificate for all its connections; node-datachannel takes it as PEM files.
 * Made with openssl (ECDSA P-256, 1 day) in a private temp directory removed on dispose; the
 * directory names the process, so one left behind by a host that was killed (kill -9) is removed
 * by the next one that starts.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DtlsCertificate {
  certFile: string;
  keyFile: string;
  /** sha-256 fingerprint, "AB:CD:…" */
  fingerprint: string;
  dispose(): void;
}

const PREFIX = 'live-sessions-dtls-';

/** Removes key directories of processes that no longer run. */
function sweepLeftovers(): void {
  let names: string[] = [];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^live-sessions-dtls-(\d+)-/.exec(n)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), n), { recursive: true, force: true });
    }
  }
}

export function makeCertificate(): DtlsCertificate {
  sweepLeftovers();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
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
