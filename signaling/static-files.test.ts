import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
