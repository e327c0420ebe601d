/**
 * Debian's coturn (/usr/bin/turnserver, installed by `scripts/setup.sh --test`) for tests and
 * benchmarks: a free port, a generated shared secret (use-auth-secret, as signaling's --turn-secret
 * expects), a config in a temp dir, no CLI, no TLS, its log on stdout. `spawn` decides where it runs
 * (a NatLab network, or this network namespace).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnProcess, type ManagedProcess } from './processes.ts';
import { execFileSync } from 'node:child_process';
import { makeTempDir } from './tmp.ts';

export const TURNSERVER = '/usr/bin/turnserver';

export interface Coturn {
  process: ManagedProcess;
  ip: string;
  port: number;
  secret: string;
  /** turn:IP:PORT (UDP) and turn:IP:PORT?transport=tcp */
  turnUrls: string[];
  /** turns:IP:TLSPORT?transport=tcp when started with `tls` */
  turnsUrl?: string;
  stunUrl: string;
  stop(): Promise<unknown>;
}

type Spawn = (command: string, args: string[]) => ManagedProcess;

/** A port free for both TCP and UDP on `ip`, found by a process started the way coturn will be. */
export async function freePort(spawn: Spawn, ip: string): Promise<number> {
  const script = `const net=require('net'),dgram=require('dgram');(async()=>{for(;;){const s=net.createServer();await new Promise(r=>s.listen(0,${JSON.stringify(ip)},r));const p=s.address().port;const u=dgram.createSocket('udp4');const ok=await new Promise(r=>{u.once('error',()=>r(false));u.bind(p,${JSON.stringify(ip)},()=>r(true))});u.close();s.close();if(ok){console.log('port '+p);return}}})()`;
  const p = spawn(process.execPath, ['-e', script]);
  const m = await p.waitForLine(/^port (\d+)$/, 10_000, 'stdout');
  return Number(m[1]);
}

/** A throwaway self-signed certificate for `ip` (subjectAltName IP), PEM files in a temp dir. */
export function selfSignedCert(ip: string): { cert: string; key: string } {
  const dir = makeTempDir('live-sessions-cert-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${ip}`, '-addext', `subjectAltName=IP:${ip}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * `relayPorts`: the UDP ports coturn relays from (default: its own 49152–65535).
 * `deniedPeers`: address ranges (`FROM-TO`) it refuses to relay to (403 to CreatePermission), as an
 * operator denies private networks. Without it, a peer's private address that coturn has no route to
 * makes coturn 4.6 close the whole allocation ("udp send: Network is unreachable"), which kills
 * TURN over TCP for a client that asked for a permission to it.
 */
export async function startCoturn(opts: { ip: string; spawn?: Spawn; secret?: string; relayPorts?: [number, number]; deniedPeers?: string[]; tls?: { cert: string; key: string } }): Promise<Coturn> {
  const spawn: Spawn = opts.spawn ?? ((c, a) => spawnProcess(c, a));
  const dir = makeTempDir('live-sessions-coturn-');
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const port = await freePort(spawn, opts.ip);
  const tlsPort = opts.tls ? await freePort(spawn, opts.ip) : 0;
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(
    conf,
    [
      `listening-ip=${opts.ip}`,
      `relay-ip=${opts.ip}`,
      `listening-port=${port}`,
      ...(opts.relayPorts ? [`min-port=${opts.relayPorts[0]}`, `max-port=${opts.relayPorts[1]}`] : []),
      ...(opts.deniedPeers ?? []).map((r) => `denied-peer-ip=${r}`),
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=live-sessions.test',
      'fingerprint',
      'no-cli',
      ...(opts.tls ? [`tls-listening-port=${tlsPort}`, `cert=${opts.tls.cert}`, `pkey=${opts.tls.key}`] : ['no-tls']),
      'no-dtls',
      'no-multicast-peers',
      'no-rfc5780',
      'no-software-attribute',
      'log-file=stdout',
      'simple-log',
      // LIVE_SESSIONS_COTURN_VERBOSE=1 logs every allocation and permission (debugging)
      ...(process.env.LIVE_SESSIONS_COTURN_VERBOSE ? ['verbose'] : []),
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      ''
    ].join('\n')
  );
  const proc = spawn(TURNSERVER, ['-c', conf]);
  try {
    // printed once the listeners are bound (they are logged only with --verbose)
    await proc.waitForLine(/Total General servers: \d+/, 15_000);
  } catch (e) {
    await proc.stop();
    throw new Error(`coturn did not start (is it installed? bash scripts/setup.sh --test): ${(e as Error).message}`);
  }
  return {
    process: proc,
    ip: opts.ip,
    port,
    secret,
    turnUrls: [`turn:${opts.ip}:${port}`, `turn:${opts.ip}:${port}?transport=tcp`],
    turnsUrl: opts.tls ? `turns:${opts.ip}:${tlsPort}?transport=tcp` : undefined,
    stunUrl: `stun:${opts.ip}:${port}`,
    stop: () => proc.stop()
  };
}
