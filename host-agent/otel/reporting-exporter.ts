/**
 * Wraps the OTLP exporter so that a receiver that is down is said once, not once a batch: the
 * first failed export fires `status` 'failing' (the host logs it), the first success after that
 * fires 'ok'. Spans of failed exports are dropped by the batch processor; the session goes on.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { Emitter } from '../../src/lib/mesh/events.ts';

export type ExportStatus = { status: 'failing'; error: string } | { status: 'ok' };

export class ReportingExporter implements SpanExporter {
  readonly status = new Emitter<ExportStatus>();
  #inner: SpanExporter;
  #failing = false;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      const ok = result.code === ExportResultCode.SUCCESS;
      if (ok === this.#failing) {
        this.#failing = !ok;
        this.status.fire(ok ? { status: 'ok' } : { status: 'failing', error: result.error?.message ?? 'export failed' });
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
