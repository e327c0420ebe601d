import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignaling, type SignalingServer } from './server.ts';

let dir: string;
let server: SignalingServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ls-static-'));
  const build = join(dir, 'build');
  mkdirSync(join(build, '_app/immutable/chunks'), { recursive: true });
  writeFileSync(join(build, '200.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(build, '_app/immutable/chunks/app.abc123.js'), 'export const x = 1;');
  // what the build's precompression writes beside each file
  writeFileSync(join(build, '_app/immutable/chunks/app.abc123.js.br'), brotliCompressSync('export const x = 1;'));
  writeFileSync(join(build, '_app/immutable/chunks/app.abc123.js.gz'), gzipSync('export const x = 1;'));
  writeFileSync(join(build, '_app/version.json'), '{"version":"1"}');
  writeFileSync(join(build, 'favicon.svg'), '<svg/>');
  writeFileSync(join(build, '.secret'), 'hidden');
  writeFileSync(join(dir, 'outside.txt'), 'outside the build');
  symlinkSync(join(dir, 'outside.txt'), join(build, 'escape.txt'));
  server = await startSignaling({ port: 0, staticDir: build, log: () => {} });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET, so that `..` reaches the server as sent (fetch would normalise it away). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(server.url);
    request({ host: u.hostname, port: u.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** A raw GET with these request headers, body as bytes (fetch would decompress it). */
function rawGetBytes(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const u = new URL(server.url);
    request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('static files', () => {
  it('serves files with their content type and cache policy', async () => {
    const js = await fetch(server.url + '/_app/immutable/chunks/app.abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('export const x = 1;');
    const svg = await fetch(server.url + '/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
    const version = await fetch(server.url + '/_app/version.json');
    expect(version.headers.get('cache-control')).toBe('no-cache');
    const head = await fetch(server.url + '/favicon.svg', { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('6');
    expect(await head.text()).toBe('');
  });

  it('serves the precompressed file the browser accepts, and 304 for an unchanged ETag', async () => {
    const path = '/_app/immutable/chunks/app.abc123.js';
    const br = await rawGetBytes(path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotliDecompressSync(br.body).toString()).toBe('export const x = 1;');
    const gz = await rawGetBytes(path, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await rawGetBytes(path, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe('export const x = 1;');
    const etag = plain.headers['etag'] as string;
    expect(etag).toBeTruthy();
    const again = await rawGetBytes(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    const html = await fetch(server.url + '/s/abcdefgh12');
    const revalidated = await fetch(server.url + '/s/abcdefgh12', { headers: { 'if-none-match': html.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
  });

  it('answers app routes with 200.html (SPA fallback)', async () => {
    for (const path of ['/', '/s/abcdefgh12', '/replay?x=1']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>app</title>');
    }
  });

  it('answers 404 for a missing file with an extension', async () => {
    const res = await fetch(server.url + '/_app/immutable/missing.js');
    expect(res.status).toBe(404);
  });

  it('refuses path traversal, symlinks out of the build and hidden files', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/_app/..%2f..%2foutside.txt', '/..%5coutside.txt', '/escape.txt', '/.secret', '/%00.js']) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('outside the build');
      expect(res.body).not.toContain('hidden');
    }
  });

  it('serves a rebuilt app without a restart', async () => {
    const build = join(dir, 'build');
    writeFileSync(join(build, '_app/immutable/chunks/new.def456.js'), 'export const y = 2;');
    expect((await fetch(server.url + '/_app/immutable/chunks/new.def456.js')).status).toBe(404); // not rebuilt yet
    const later = new Date(Date.now() + 5000);
    utimesSync(join(build, '200.html'), later, later); // the build step rewrites 200.html
    const res = await fetch(server.url + '/_app/immutable/chunks/new.def456.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('export const y = 2;');
  });

  it('answers 405 for other methods', async () => {
    const res = await fetch(server.url + '/favicon.svg', { method: 'DELETE' });
    expect(res.status).toBe(405);
  });

  it('answers 503 with a hint when the web app is not built', async () => {
    const bare = await startSignaling({ port: 0, staticDir: join(dir, 'nothing-here'), log: () => {} });
    try {
      const res = await fetch(bare.url + '/s/abcdefgh12');
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('web app not built: run npm run build');
    } finally {
      await bare.close();
    }
  });
});
