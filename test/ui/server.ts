/**
 * Serves test/ui/ (the session screen over a FakeSession) from a Vite dev server of its own, so
 * the fake never goes into the product build. Tests call `startFakeUi()`; to look at it yourself,
 * `node test/ui/server.ts [PORT]`.
 */
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { createServer } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface FakeUi {
  /** e.g. http://127.0.0.1:41234/ — add a query (see main.ts) */
  url: string;
  close(): Promise<void>;
}

export async function startFakeUi(port = 0): Promise<FakeUi> {
  const server = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    // svelte.config.js is the app's (SvelteKit) config: not this page's.
    plugins: [svelte({ configFile: false, preprocess: vitePreprocess() })],
    server: { host: '127.0.0.1', port, strictPort: true, fs: { allow: [REPO] }, hmr: false }
  });
  await server.listen();
  const { port: real } = server.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${real}/`, close: () => server.close() };
}

// `node test/ui/server.ts [PORT]`: look at the fake session in a browser.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ui = await startFakeUi(Number(process.argv[2] ?? 0));
  console.log(`fake session UI at ${ui.url} (?role=viewer, ?a11y=1, …; see test/ui/main.ts)`);
}
