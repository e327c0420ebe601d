/**
 * The signaling server's log: JSON lines on stderr (pino), one object per event with `level`,
 * `time` and `msg`. Messages never carry credentials or invite secrets (the server only logs ids,
 * roles and reasons); fields that could hold one are redacted anyway, should one ever be logged.
 */
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

export function signalLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'live-sessions-signal' },
      redact: { paths: ['token', '*.token', 'invite', '*.invite', 'authorization', '*.authorization', 'headers.authorization', 'secret', '*.secret'], censor: '[redacted]' }
    },
    // synchronous: the last lines before an exit are not lost
    pino.destination({ dest: 2, sync: true })
  );
}
