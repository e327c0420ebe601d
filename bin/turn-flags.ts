/**
 * `--turn-url URL` (repeatable), `--turn-secret SECRET` | `--turn-secret-file FILE`, `--stun-url
 * URL` (repeatable) for `signal`: taken out of argv before the shared parser sees the rest, since
 * that one keeps one value per flag.
 */
import { readFileSync } from 'node:fs';
import { checkTurnConfig, TurnConfigError, type TurnConfig } from '../signaling/turn.ts';
import { UsageError } from './args.ts';

export const TURN_USAGE = `  --turn-url URL   a coturn for participants that cannot reach each other directly:
                   turn:HOST:PORT, turns:HOST:PORT, …?transport=tcp (repeatable)
  --turn-secret S  coturn's static-auth-secret (use-auth-secret); each participant gets
                   credentials for 10 minutes, renewed with its signaling credential
  --turn-secret-file FILE  the same, read from FILE (keeps it out of the process list)
  --stun-url URL   stun:HOST:PORT, so peers behind NAT learn their public address (repeatable)
`;

const NAMES = ['turn-url', 'stun-url', 'turn-secret', 'turn-secret-file'] as const;

/** Splits argv into the TURN configuration (undefined when none was given) and the other flags. */
export function takeTurnFlags(argv: string[]): { turn: TurnConfig | undefined; rest: string[] } {
  const values: Record<(typeof NAMES)[number], string[]> = { 'turn-url': [], 'stun-url': [], 'turn-secret': [], 'turn-secret-file': [] };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    const name = m?.[1] as (typeof NAMES)[number] | undefined;
    if (!m || !name || !NAMES.includes(name)) {
      rest.push(argv[i]);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (!value || (m[2] === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    values[name].push(value);
  }
  if (values['turn-secret'].length + values['turn-secret-file'].length > 1) throw new UsageError('give the TURN secret once: --turn-secret or --turn-secret-file');
  let secret = values['turn-secret'][0];
  const file = values['turn-secret-file'][0];
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--turn-secret-file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (!values['turn-url'].length && !values['stun-url'].length && secret === undefined) return { turn: undefined, rest };
  try {
    return { turn: checkTurnConfig({ turnUrls: values['turn-url'], stunUrls: values['stun-url'], secret }), rest };
  } catch (e) {
    if (e instanceof TurnConfigError) throw new UsageError(e.message);
    throw e;
  }
}
