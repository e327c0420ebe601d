/**
 * Shell integration: bash, zsh and fish are started with hooks of ours that print invisible marks —
 * OSC 133 A/B/C/D around each prompt and command (C carries the command line, base64) and OSC 7
 * with the cwd — so the host knows each command, its exit code and its directory. The user's own
 * startup files load as always and stay untouched on disk, and the prompt looks the same:
 *  - bash: `--rcfile ours`, which sources /etc/bash.bashrc and ~/.bashrc first;
 *  - zsh: ZDOTDIR points at a directory whose .zshenv puts the user's ZDOTDIR back, sources their
 *    .zshenv and adds the hooks; zsh then reads their .zprofile/.zshrc/.zlogin itself;
 *  - fish: `--init-command` sources ours after the user's config.
 * Other shells run as they are: their commands are then unknown.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** the hook files (read once; they ship beside this module) */
const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const BASH_RC = read('bashrc.sh');
const ZSH_ENV = read('zshenv.zsh');
const FISH_INIT = read('integration.fish');

export interface ShellLaunch {
  /** arguments for the shell */
  args: string[];
  /** variables the shell needs on top of the session's environment */
  env: Record<string, string>;
  /** whether commands will be known */
  integrated: boolean;
  dispose(): void;
}

/** The shells we integrate with, by program name. */
export const INTEGRATED_SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * How to start `shell` with integration. `env` is the environment the shell will get (zsh needs
 * to know the user's own ZDOTDIR, if any, to hand it back).
 */
export function shellLaunch(shell: string, env: Record<string, string | undefined> = process.env): ShellLaunch {
  const name = basename(shell);
  if (!(INTEGRATED_SHELLS as readonly string[]).includes(name)) return { args: [], env: {}, integrated: false, dispose: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'live-sessions-shell-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  const file = (n: string, text: string) => {
    writeFileSync(join(dir, n), text, { mode: 0o600 });
    return join(dir, n);
  };
  if (name === 'bash') return { args: ['--rcfile', file('bashrc', BASH_RC), '-i'], env: {}, integrated: true, dispose };
  if (name === 'zsh') {
    file('.zshenv', ZSH_ENV);
    const vars: Record<string, string> = { ZDOTDIR: dir };
    if (env.ZDOTDIR !== undefined) vars.LIVE_SESSIONS_ZDOTDIR = env.ZDOTDIR;
    return { args: ['-i'], env: vars, integrated: true, dispose };
  }
  const init = file('integration.fish', FISH_INIT);
  // fish quotes: only \ and ' are special inside '…'
  return { args: ['--init-command', `source '${init.replace(/[\\']/g, '\\$&')}'`, '-i'], env: {}, integrated: true, dispose };
}
