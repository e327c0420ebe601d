/**
 * Shell integration: bash is started with an rc file of ours that first loads the user's usual
 * startup files (untouched on disk) and then adds hooks that print invisible marks — OSC 133
 * A/B/C/D around each prompt and command (C carries the command line, base64) and OSC 7 with the
 * cwd — so the host knows each command, its exit code and its directory. What the prompt looks
 * like does not change. Other shells run as they are: their commands are then unknown.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** the rc file (read once; it ships beside this module) */
const BASH_RC = readFileSync(new URL('./bashrc.sh', import.meta.url), 'utf8');

export interface ShellLaunch {
  /** arguments for the shell */
  args: string[];
  /** whether commands will be known */
  integrated: boolean;
  dispose(): void;
}

export function shellLaunch(shell: string): ShellLaunch {
  if (basename(shell) !== 'bash') return { args: [], integrated: false, dispose: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'live-sessions-shell-'));
  const rc = join(dir, 'bashrc');
  writeFileSync(rc, BASH_RC, { mode: 0o600 });
  return { args: ['--rcfile', rc, '-i'], integrated: true, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
