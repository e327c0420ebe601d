/**
 * Serves the built web app (SvelteKit adapter-static output): files as they are, and the SPA
 * fallback `200.html` for every app route. Hashed assets under /_app/immutable/ are cached
 * for a year; everything else is revalidated.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's build/ folder (where `npm run build` writes the app). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../build/', import.meta.url));
const FALLBACK = '200.html';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm'
};

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The real path of a regular file inside root, or undefined (missing, a folder, or outside root). */
async function fileIn(root: string, rel: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const path = await realpath(join(root, rel));
    if (!path.startsWith(root + sep)) return undefined; // a symlink out of the build
    const st = await stat(path);
    return st.isFile() ? { path, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

export function createStatic(dir: string) {
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(res, 405, 'only GET and HEAD are served here');
    }
    let root: string;
    try {
      root = await realpath(dir);
      if (!(await stat(join(root, FALLBACK))).isFile()) throw new Error('no fallback');
    } catch {
      return text(res, 503, 'web app not built: run npm run build');
    }
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return text(res, 400, 'the path is not valid URL encoding');
    }
    const segments = rel.split(/[/\\]/).filter(Boolean);
    // No way out of the build folder, and no hidden files.
    if (rel.includes('\0') || segments.some((s) => s === '..' || s.startsWith('.'))) return text(res, 404, 'not found');
    const clean = segments.join('/');
    const hasExt = extname(clean) !== '';
    const file =
      (clean && (await fileIn(root, clean))) ||
      (!hasExt && clean && ((await fileIn(root, clean + '.html')) || (await fileIn(root, clean + '/index.html')))) ||
      (!hasExt && !clean && (await fileIn(root, 'index.html'))) ||
      (!hasExt && (await fileIn(root, FALLBACK)));
    if (!file) return text(res, 404, `not found: ${urlPath}`);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': file.size,
      'Cache-Control': clean.startsWith('_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
