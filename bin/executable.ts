/**
 * Checks `--shell` before anything starts: node-pty would accept any name and every page would
 * show "execvp(3) failed" with a Restart that can never work.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from './args.ts';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `shell` as node-pty will run it: a path, or a name looked up in PATH (as execvp does). */
export function checkShell(shell: string, path = process.env.PATH ?? ''): string {
  if (shell.includes('/')) {
    if (isExecutableFile(shell)) return shell;
    throw new UsageError(`--shell ${JSON.stringify(shell)} is not an executable file (${statOr(shell)})`);
  }
  if (path.split(delimiter).some((dir) => dir && isExecutableFile(join(dir, shell)))) return shell;
  throw new UsageError(`--shell ${JSON.stringify(shell)} was not found in PATH; give a full path such as /bin/bash`);
}

function statOr(path: string): string {
  try {
    return statSync(path).isDirectory() ? 'it is a directory' : 'it is not executable';
  } catch {
    return 'no such file';
  }
}
