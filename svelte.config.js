import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the signaling server serves 200.html for every app route.
    // precompress: .br and .gz beside every file, which the signaling server's sirv serves as is
    adapter: adapter({ fallback: '200.html', precompress: true }),
    typescript: {
      config(c) {
        c.compilerOptions.allowImportingTsExtensions = true;
        c.include.push('../signaling/**/*.ts', '../host-agent/**/*.ts', '../test/**/*.ts', '../bin/**/*.js', '../bin/**/*.ts');
        return c;
      }
    }
  }
};
