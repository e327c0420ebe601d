/**
 * `--turn-url URL` (repeatable), `--turn-secret SECRET` | `--turn-secret-file FILE`, `--stun-url
 * URL` (repeatable) for `signal`: their flag spec and the TURN configuration they make.
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

export const TURN_FLAGS = { 'turn-url': 'strings', 'stun-url': 'strings', 'turn-secret': 'string', 'turn-secret-file': 'string' } as const;

type TurnFlags = { 'turn-url'?: string[]; 'stun-url'?: string[]; 'turn-secret'?: string; 'turn-secret-file'?: string };

/** The TURN configuration of parsed flags (undefined when none was given). */
export function turnConfig(f: TurnFlags): TurnConfig | undefined {
  const turnUrls = f['turn-url'] ?? [];
  const stunUrls = f['stun-url'] ?? [];
  const file = f['turn-secret-file'];
  if (f['turn-secret'] !== undefined && file !== undefined) throw new UsageError('give the TURN secret once: --turn-secret or --turn-secret-file');
  let secret = f['turn-secret'];
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--turn-secret-file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (!turnUrls.length && !stunUrls.length && secret === undefined) return undefined;
  try {
    return checkTurnConfig({ turnUrls, stunUrls, secret });
  } catch (e) {
    if (e instanceof TurnConfigError) throw new UsageError(e.message);
    throw e;
  }
}
