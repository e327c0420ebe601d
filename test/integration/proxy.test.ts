/**
 * The reverse-proxy snippets in deploy/ for real: Debian's nginx and Caddy, each started as a
 * foreground process on a free port with a config made from the repo's snippet (ports and a
 * throwaway self-signed certificate substituted, nothing else), a signaling server with
 * --trust-proxy behind it. Through the proxy: the app is served, a session is created and joined,
 * the ws relay upgrades and relays, the client address comes through X-Forwarded-For (and a
 * forged one does not), /metrics stays closed, an oversized body is stopped.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CreateSessionResponse, CredentialResponse } from '../../src/lib/protocol/api.ts';
import { SIGNAL_SUBPROTOCOL } from '../../src/lib/protocol/signaling.ts';
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { unusedPort } from '../helpers/ports.ts';
import { REPO_ROOT, spawnProcess, stopAll, type ManagedProcess } from '../helpers/processes.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';

const DEPLOY = join(REPO_ROOT, 'deploy');
const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
afterAll(async () => {
  sockets.forEach((ws) => ws.terminate());
  await stopAll();
  await Promise.all(servers.map((s) => s.close()));
  removeTempDirs();
});

interface Proxy {
  url: string;
  ca: string;
  process: ManagedProcess;
}

/** A self-signed certificate for 127.0.0.1, made by openssl. */
function certificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=signal.example.com', '-addext', 'subjectAltName=DNS:signal.example.com,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** `text` with each [from, to] replaced, each required to be there (a snippet that changed fails here, not silently). */
function substitute(text: string, pairs: [string | RegExp, string][]): string {
  for (const [from, to] of pairs) {
    if (!(typeof from === 'string' ? text.includes(from) : from.test(text))) throw new Error(`the snippet no longer contains ${String(from)}`);
    text = typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
  }
  return text;
}

/** Waits until a TLS handshake on `port` succeeds (the proxy is listening), or the proxy exits. */
async function listening(port: number, ca: string, proc: ManagedProcess): Promise<void> {
  let up = false;
  let probing = false;
  const probe = () => {
    probing = true;
    const s = tlsConnect({ host: '127.0.0.1', port, ca }, () => ((up = true), s.end()));
    s.on('error', () => {});
    s.on('close', () => (probing = false));
  };
  await until(() => (up || probing || proc.exitInfo !== null || probe(), up || proc.exitInfo !== null), `a TLS listener on ${port}`, 15_000);
  if (!up) throw new Error(`the proxy did not come up on ${port}:\n${proc.tail()}`);
}

async function nginx(upstream: number): Promise<Proxy> {
  const dir = makeTempDir('ls-nginx-');
  const { cert, key } = certificate(dir);
  const port = await unusedPort();
  const site = substitute(readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8'), [
    [/server 127\.0\.0\.1:\d+;/, `server 127.0.0.1:${upstream};`],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`],
    ['/etc/letsencrypt/live/signal.example.com/fullchain.pem', cert],
    ['/etc/letsencrypt/live/signal.example.com/privkey.pem', key]
  ]);
  writeFileSync(join(dir, 'site.conf'), site);
  for (const t of ['body', 'proxy']) mkdirSync(join(dir, t));
  // the snippet goes into http {} as it would into /etc/nginx/conf.d; around it only what a
  // foreground nginx without a system install needs
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/proxy;\n  uwsgi_temp_path ${dir}/proxy;\n  scgi_temp_path ${dir}/proxy;\n  include ${dir}/site.conf;\n}\n`
  );
  const ca = readFileSync(cert, 'utf8');
  const proc = spawnProcess('nginx', ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  await listening(port, ca, proc);
  return { url: `https://127.0.0.1:${port}`, ca, process: proc };
}

async function caddy(upstream: number): Promise<Proxy> {
  const dir = makeTempDir('ls-caddy-');
  const { cert, key } = certificate(dir);
  const port = await unusedPort();
  const site = substitute(readFileSync(join(DEPLOY, 'Caddyfile'), 'utf8'), [
    // (the upstream first: the site address below is 127.0.0.1 too)
    [/127\.0\.0\.1:\d+/g, `127.0.0.1:${upstream}`],
    ['signal.example.com {', `https://127.0.0.1:${port} {\n\ttls ${cert} ${key}`]
  ]);
  // global options: no admin endpoint (a fixed port), no redirect listener on :80, state in the temp dir
  writeFileSync(join(dir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system ${dir}/data\n}\n\n${site}`);
  const ca = readFileSync(cert, 'utf8');
  const env = { HOME: dir, XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CONFIG_HOME: join(dir, 'xdg-config') };
  const proc = spawnProcess('caddy', ['run', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], { env });
  await listening(port, ca, proc);
  return { url: `https://127.0.0.1:${port}`, ca, process: proc };
}

interface Reply {
  status: number;
  body: string;
  json: () => unknown;
}

/** One HTTPS request to the proxy from the loopback address `from` (the client nginx/Caddy see). */
function call(p: Proxy, path: string, o: { method?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<Reply> {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${p.url}${path}`,
      { method: o.method ?? (body === undefined ? 'GET' : 'POST'), ca: p.ca, localAddress: o.from ?? '127.0.0.2', headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...o.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) }));
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

function openSocket(p: Proxy, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${p.url.replace('https', 'wss')}/signal`, [SIGNAL_SUBPROTOCOL, token], { ca: p.ca, localAddress: '127.0.0.2' });
    sockets.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const next = (ws: WebSocket, type: string) =>
  new Promise<Record<string, unknown>>((resolve) => {
    const on = (d: Buffer) => {
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      if (m.type !== type) return;
      ws.off('message', on);
      resolve(m);
    };
    ws.on('message', on);
  });

describe.each([
  ['nginx', nginx],
  ['Caddy', caddy]
] as const)('signaling behind %s (deploy/ snippet)', (_name, start) => {
  it('serves the app, creates and joins a session, relays over the ws upgrade, keys limits on the forwarded address; /metrics closed, big bodies stopped', async () => {
    const server = await startSignaling({ port: 0, trustProxy: true, log: () => {}, limits: { create: { burst: 2, perMinute: 1 }, join: { burst: 50, perMinute: 50 } } });
    servers.push(server);
    const proxy = await start(server.port);

    const page = await call(proxy, '/');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<html[\s\S]*\/_app\//);

    // a page of this origin creates (Origin as a browser sends it behind the proxy), another joins
    const created = await call(proxy, '/api/sessions', { body: { role: 'owner', name: 'Olga' }, headers: { Origin: proxy.url } });
    expect(created.status, created.body).toBe(201);
    const s = created.json() as CreateSessionResponse;
    const joined = await call(proxy, `/api/sessions/${s.session}/join`, { body: { invite: s.invites.viewer, name: 'Vi' } });
    expect(joined.status, joined.body).toBe(200);
    const viewer = joined.json() as CredentialResponse;

    const [a, b] = [await openSocket(proxy, s.token), await openSocket(proxy, viewer.token)];
    for (const ws of [a, b]) {
      ws.send(JSON.stringify({ type: 'subscribe', topics: [s.session] }));
      const pong = next(ws, 'pong');
      ws.send(JSON.stringify({ type: 'ping' }));
      await pong;
    }
    const got = next(b, 'publish');
    a.send(JSON.stringify({ type: 'publish', topic: s.session, data: 'offer' }));
    expect(await got).toEqual({ type: 'publish', topic: s.session, from: s.participant, data: 'offer' });

    // the server only ever sees the proxy's connection from 127.0.0.1: the address it limits is
    // the one the proxy forwards. 127.0.0.2 used its burst of 2 (one more above); a forged
    // X-Forwarded-For does not get it another; 127.0.0.3 is another client.
    expect((await call(proxy, '/api/sessions', { body: { role: 'owner', name: 'O' } })).status).toBe(201);
    expect(await call(proxy, '/api/sessions', { body: { role: 'owner', name: 'O' }, headers: { 'X-Forwarded-For': '203.0.113.9' } })).toMatchObject({ status: 429 });
    expect((await call(proxy, '/api/sessions', { body: { role: 'owner', name: 'O' }, from: '127.0.0.3' })).status).toBe(201);

    expect((await call(proxy, '/metrics')).status).toBe(403);
    const big = await call(proxy, '/api/sessions', { body: { role: 'owner', name: 'x'.repeat(20_000) }, from: '127.0.0.4' });
    expect(big.status).toBe(413);
  });
});
