/**
 * Serves the built web app (SvelteKit adapter-static output) with `sirv`, the static server of
 * SvelteKit's own adapter-node: the build's precompressed `.br`/`.gz` files by Accept-Encoding,
 * ETags (304 on revalidation), a year of immutable caching for hashed assets under
 * /_app/immutable/ and revalidation for everything else, and the SPA fallback `200.html` for app
 * routes (paths without an extension). sirv serves only the files it listed at start, so no path
 * can leave the build; around it we refuse other methods, answer 503 while the app is not built,
 * re-list after a rebuild, and refuse symlinks that point out of the build (sirv follows them).
 */
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** The repository's build/ folder (where `npm run build` writes the app). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../build/', import.meta.url));
const FALLBACK = '200.html';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** text types, with an explicit charset (sirv adds one to HTML only) */
const TEXT: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain'
};

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Whether `rel` names a symlink (or a path through one) that resolves outside `root`. */
async function escapes(root: string, rel: string): Promise<boolean> {
  try {
    const path = await realpath(join(root, rel));
    return path !== root && !path.startsWith(root + sep);
  } catch {
    return false; // nothing there: sirv answers with the fallback or 404
  }
}

export function createStatic(dir: string) {
  let handler: ReturnType<typeof sirv> | null = null;
  /** 200.html's mtime when `handler` listed the build: a rebuild lists it again */
  let listedAt = 0;

  function list(root: string): ReturnType<typeof sirv> {
    return sirv(root, {
      single: FALLBACK,
      etag: true,
      brotli: true,
      gzip: true,
      dotfiles: false,
      setHeaders(res, pathname) {
        // the SPA fallback is HTML whatever the path; precompressed files keep their own type
        const type = TEXT[extname(pathname).toLowerCase()] ?? (extname(pathname) ? undefined : 'text/html');
        if (type) res.setHeader('Content-Type', `${type}; charset=utf-8`);
        res.setHeader('Cache-Control', pathname.startsWith('/_app/immutable/') ? IMMUTABLE : 'no-cache');
      }
    });
  }

  return async function serveStatic(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(res, 405, 'only GET and HEAD are served here');
    }
    let root: string;
    let builtAt: number;
    try {
      root = await realpath(dir);
      const st = await stat(join(root, FALLBACK));
      if (!st.isFile()) throw new Error('no fallback');
      builtAt = st.mtimeMs;
    } catch {
      return text(res, 503, 'web app not built: run npm run build');
    }
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return text(res, 400, 'the path is not valid URL encoding');
    }
    // nothing that even looks like a way out (sirv would answer such paths with the app's HTML)
    const segments = rel.split(/[/\\]/);
    if (rel.includes('\0') || rel.includes('\\') || segments.some((x) => x === '..' || x.startsWith('.'))) return text(res, 404, 'not found');
    if (await escapes(root, rel)) return text(res, 404, 'not found');
    if (!handler || builtAt !== listedAt) {
      handler = list(root);
      listedAt = builtAt;
    }
    handler(req, res, () => text(res, 404, `not found: ${urlPath}`));
  };
}
