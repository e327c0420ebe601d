// The web app as a browser that already has it (cached, or served by a CDN) sees it while the
// signaling server is down: the app's own files come from the local build, everything else —
// the join API, the JWKS, the signaling socket — still goes to the (dead) server.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { REPO_ROOT } from './processes.ts';

const BUILD = path.join(REPO_ROOT, 'build');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
};

/** Paths the server answers itself (not app files). */
const SERVER_PATHS = /^\/(api\/|\.well-known\/|signal$)/;

/** Serves the app's files for `origin` in `context` from build/ (with the SPA's 200.html fallback). */
export async function serveAppFromBuild(context: BrowserContext, origin: string): Promise<void> {
  if (!fs.existsSync(path.join(BUILD, '200.html'))) throw new Error('build/200.html is missing: run `bash scripts/setup.sh` first.');
  await context.route(
    (url) => url.origin === origin && !SERVER_PATHS.test(url.pathname),
    async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname);
      let file = path.join(BUILD, rel);
      if (!file.startsWith(BUILD + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        file = path.join(BUILD, '200.html');
      }
      await route.fulfill({ status: 200, contentType: TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
    }
  );
}
