/**
 * A local OTLP/HTTP traces receiver for tests, on a free port: decodes the JSON encoding the
 * host's exporter sends (ExportTraceServiceRequest) into flat spans. `answer: 503` plays a
 * collector that is up but refuses everything (it still counts requests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttrValue = string | number | boolean;
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span */
  parentSpanId: string;
  name: string;
  attributes: Record<string, AttrValue>;
  /** ms since the epoch */
  start: number;
  end: number;
  /** 0 unset, 1 ok, 2 error */
  status: number;
  resource: Record<string, AttrValue>;
}

export interface OtlpReceiver {
  /** base URL, as for OTEL_EXPORTER_OTLP_ENDPOINT */
  url: string;
  spans: ReceivedSpan[];
  /** every request body as received (to check what never appears in it) */
  bodies: string[];
  requests: number;
  close(): Promise<void>;
}

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

function attrs(list: KeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const { key, value: v } of list ?? []) out[key] = v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue ?? ''));
  return out;
}

const ms = (nanos: string | number) => Number(BigInt(nanos) / 1_000_000n);

export async function startOtlpReceiver(o: { answer?: 200 | 503 } = {}): Promise<OtlpReceiver> {
  const r: OtlpReceiver = { url: '', spans: [], bodies: [], requests: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests++;
      if (o.answer === 503 || req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(o.answer === 503 ? 503 : 400).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      r.bodies.push(body);
      type Req = { resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: KeyValue[]; startTimeUnixNano: string; endTimeUnixNano: string; status?: { code?: number } }[] }[] }[] };
      for (const rs of (JSON.parse(body) as Req).resourceSpans) {
        const resource = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            r.spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, attributes: attrs(s.attributes), start: ms(s.startTimeUnixNano), end: ms(s.endTimeUnixNano), status: s.status?.code ?? 0, resource });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}
