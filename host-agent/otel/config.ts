/**
 * Where spans go and which trace the session joins, from `--otlp URL` / `--traceparent TP` or the
 * standard environment (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `TRACEPARENT`). Validated here so a typo is a clear error at start, not silence later.
 */
import { parseTraceParent } from '@opentelemetry/core';

export interface OtlpConfig {
  /** the OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces */
  url: string;
  /** W3C traceparent of the incident's trace the session becomes part of */
  traceparent?: string;
}

export class OtlpConfigError extends Error {}

/** null when tracing is off (no endpoint given). */
export function otlpConfig(flags: { otlp?: string; traceparent?: string }, env: Record<string, string | undefined>): OtlpConfig | null {
  const traceparent = flags.traceparent ?? (env.TRACEPARENT || undefined);
  if (traceparent !== undefined && !parseTraceParent(traceparent)) {
    throw new OtlpConfigError(`${flags.traceparent ? '--traceparent' : 'TRACEPARENT'} must be a W3C traceparent like 00-<32 hex>-<16 hex>-01, not ${JSON.stringify(traceparent.slice(0, 80))}`);
  }
  // the signal-specific variable is the whole URL; the general one (and --otlp) is a base
  const whole = flags.otlp ? undefined : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
  const base = flags.otlp ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined);
  if (!whole && !base) {
    if (flags.traceparent) throw new OtlpConfigError('--traceparent needs --otlp URL (or OTEL_EXPORTER_OTLP_ENDPOINT): spans need somewhere to go');
    return null;
  }
  const what = flags.otlp ? '--otlp' : whole ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let u: URL;
  try {
    u = new URL((whole ?? base)!);
  } catch {
    throw new OtlpConfigError(`${what} must be a URL like http://127.0.0.1:4318, not ${JSON.stringify((whole ?? base)!.slice(0, 200))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OtlpConfigError(`${what} must be an http:// or https:// URL (OTLP over HTTP)`);
  if (!whole && !u.pathname.endsWith('/v1/traces')) u.pathname = `${u.pathname.replace(/\/$/, '')}/v1/traces`;
  return { url: u.href, traceparent };
}
