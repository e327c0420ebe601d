/**
 * The routes an operator's tooling calls: /healthz (the process answers: liveness), /readyz (it
 * should get traffic: not shutting down, its backplane reachable; 503 with the reason otherwise)
 * and /metrics (Prometheus text). GET only; no session data in any of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http-api.ts';
import type { SignalingMetrics } from './metrics.ts';

export interface OperatorDeps {
  metrics: SignalingMetrics;
  /** why this instance should not get traffic now, or null when it should */
  notReady: () => Promise<string | null>;
}

export function createOperatorRoutes({ metrics, notReady }: OperatorDeps) {
  return async function handleOperator(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', 'use GET');
    if (path === '/healthz') sendJson(res, 200, { ok: true });
    else if (path === '/readyz') {
      const why = await notReady();
      sendJson(res, why ? 503 : 200, why ? { ok: false, error: why } : { ok: true });
    } else {
      const text = await metrics.text();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(text);
    }
    return true;
  };
}
