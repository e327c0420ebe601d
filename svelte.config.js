import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the signaling server serves 200.html for every app route.
    // precompress: .br and .gz beside every file, which the signaling server's sirv serves as is
    adapter: adapter({ fallback: '200.html', precompress: true }),
    // The page runs only its own scripts: SvelteKit puts a CSP meta tag with the hash of its one
    // inline bootstrap script; everything else comes from /_app (the server's header adds the rest).
    csp: { mode: 'hash', directives: { 'script-src': ['self', 'wasm-unsafe-eval'] } },
    typescript: {
      config(c) {
        c.compilerOptions.allowImportingTsExtensions = true;
        c.include.push('../signaling/**/*.ts', '../host-agent/**/*.ts', '../test/**/*.ts', '../bin/**/*.js', '../bin/**/*.ts');
        return c;
      }
    }
  }
};
