// @xterm/headless's ES build, imported by path (recorder-worker.ts): the same API as the package.
declare module '@xterm/headless/lib-headless/xterm-headless.mjs' {
  export { Terminal } from '@xterm/headless';
}
