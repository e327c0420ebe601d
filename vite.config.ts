import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [sveltekit()],
  // The session page's chunk is xterm.js with its addons and jose (~510 kB, ~130 kB gzipped),
  // loaded once and cached (immutable): not worth splitting, so no warning for it.
  build: { chunkSizeWarningLimit: 640 },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'signaling/**/*.test.ts', 'host-agent/**/*.test.ts', 'bin/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/helpers/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each e2e file starts its own servers and browsers; two cores cannot run many at once.
          fileParallelism: false
        }
      }
    ]
  }
});
