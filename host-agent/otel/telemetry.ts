/**
 * OpenTelemetry traces of a session, exported over OTLP/HTTP through the SDK's batch processor:
 * the session is one span (a child of the incident's trace when a traceparent was given), each
 * participant's presence a span under it from join to leave, and what the audit log records —
 * commands (author, cwd, duration, exit code), file saves, checkpoints, log filter and source
 * changes — spans under their author's presence. Others add theirs through `event()`. Every string
 * attribute goes through the redaction engine first: nothing secret leaves in a span.
 */
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { hostname } from 'node:os';
import type { Claims } from '../../src/lib/protocol/credentials.ts';
import { DisposableStore } from '../../src/lib/mesh/events.ts';
import type { AuditLog, AuditRecord } from '../audit.ts';
import { redactText } from '../redact/redact.ts';
import type { OtlpConfig } from './config.ts';
import { ReportingExporter } from './reporting-exporter.ts';

type Who = Pick<Claims, 'sub' | 'name' | 'role'>;
/** How long ending the session waits for the last spans to go out (the receiver may be down), ms. */
const FLUSH_TIMEOUT_MS = 3_000;
/** Longest string attribute kept, characters. */
const MAX_ATTR_CHARS = 4096;

/** Strings redacted and cut; numbers and booleans as they are. */
function clean(attrs: Record<string, string | number | boolean | null | undefined>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? redactText(v.slice(0, MAX_ATTR_CHARS)).text : v;
  }
  return out;
}

const author = (w: Who) => ({ 'live_sessions.author.id': w.sub, 'live_sessions.author.name': w.name, 'live_sessions.author.role': w.role });

export class Telemetry {
  readonly traceId: string;
  readonly exporter: ReportingExporter;
  #provider: TracerProvider;
  #session: Span;
  #sessionCtx: Context;
  #presence = new Map<string, { span: Span; ctx: Context }>();
  #store = new DisposableStore();
  #tracer;

  constructor(o: { config: OtlpConfig; session: string; name: string; cwd: string; audit: AuditLog }) {
    this.exporter = new ReportingExporter(new OTLPTraceExporter({ url: o.config.url, timeoutMillis: 5_000 }));
    this.#provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'live-sessions-host', 'host.name': hostname() }),
      // a session makes a few spans a minute: a short delay keeps a trace viewer close to live
      spanProcessors: [new BatchSpanProcessor({ exporter: this.exporter, scheduledDelayMillis: 1_000, maxQueueSize: 2048 })]
    });
    this.#tracer = this.#provider.getTracer('live-sessions');
    const incident = o.config.traceparent ? parseTraceParent(o.config.traceparent) : null;
    const parent = incident ? trace.setSpanContext(ROOT_CONTEXT, incident) : ROOT_CONTEXT;
    this.#session = this.#tracer.startSpan('live-sessions session', { attributes: clean({ 'live_sessions.session': o.session, 'live_sessions.host.name': o.name, 'live_sessions.cwd': o.cwd }) }, parent);
    this.#sessionCtx = trace.setSpan(parent, this.#session);
    this.traceId = this.#session.spanContext().traceId;
    this.#store.add(o.audit.recorded.on((r) => this.#fromAudit(r)));
  }

  #fromAudit({ t, who, event: e }: AuditRecord): void {
    switch (e.kind) {
      case 'join': {
        this.#presence.get(who.sub)?.span.end(t);
        const span = this.#tracer.startSpan(`participant ${who.role}`, { startTime: t, attributes: clean(author(who)) }, this.#sessionCtx);
        this.#presence.set(who.sub, { span, ctx: trace.setSpan(this.#sessionCtx, span) });
        return;
      }
      case 'rename':
        this.#presence.get(who.sub)?.span.setAttributes(clean({ 'live_sessions.author.name': who.name }));
        return;
      case 'leave':
        this.#presence.get(who.sub)?.span.end(t);
        this.#presence.delete(who.sub);
        return;
      case 'command': {
        const span = this.#start('command', who, t - e.ms, { 'live_sessions.command': e.text, 'live_sessions.cwd': e.cwd, 'live_sessions.terminal': e.term, 'live_sessions.duration_ms': e.ms, 'process.exit.code': e.exit });
        if (e.exit !== null && e.exit !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `exit code ${e.exit}` });
        span.end(t);
        return;
      }
      case 'file':
        if (e.action === 'save' || e.action === 'create' || e.action === 'rename' || e.action === 'delete') this.#start(`file ${e.action}`, who, t, { 'live_sessions.path': e.path, 'live_sessions.path.to': e.to, 'live_sessions.force': e.force }).end(t);
        return;
      case 'checkpoint':
        this.#start('checkpoint', who, t, { 'live_sessions.checkpoint.id': e.id, 'live_sessions.checkpoint.label': e.label, 'live_sessions.checkpoint.source': e.source, 'live_sessions.redacted': e.redacted }).end(t);
        return;
      case 'logs':
        this.#start(`logs ${e.action}`, who, t, { 'live_sessions.logs.detail': e.detail }).end(t);
        return;
      // keystrokes stay in the audit log; terminals and refusals are not worth a span each
      case 'input':
      case 'refused':
      case 'terminal':
        return;
    }
  }

  /** A span under `who`'s presence (or the session's, for the host and people gone). */
  #start(name: string, who: Who | null, startTime: number, attrs: Record<string, string | number | boolean | null | undefined>): Span {
    const ctx = (who && this.#presence.get(who.sub)?.ctx) ?? this.#sessionCtx;
    return this.#tracer.startSpan(name, { startTime, attributes: clean({ ...(who ? author(who) : {}), ...attrs }) }, ctx);
  }

  /**
   * Something worth a point on the session's trace that the audit does not carry (a log filter
   * change, …): an instant span named `name`, under its author's presence when there is one.
   */
  event(name: string, attrs: Record<string, string | number | boolean | null | undefined>, who: Who | null = null): void {
    const now = Date.now();
    context.with(this.#sessionCtx, () => this.#start(name, who, now, attrs).end(now));
  }

  /** Ends every open span and sends them, waiting at most FLUSH_TIMEOUT_MS. */
  async dispose(): Promise<void> {
    this.#store.dispose();
    const now = Date.now();
    for (const { span } of this.#presence.values()) span.end(now);
    this.#presence.clear();
    this.#session.end(now);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#provider.shutdown().catch(() => {}), new Promise((r) => (timer = setTimeout(r, FLUSH_TIMEOUT_MS)))]);
    clearTimeout(timer);
    this.exporter.status.dispose();
  }
}
