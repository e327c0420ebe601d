import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../test/helpers/otlp-receiver.ts';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { AuditLog } from '../audit.ts';
import { Telemetry } from './telemetry.ts';

let rx: OtlpReceiver | null = null;
afterEach(async () => {
  await rx?.close();
  removeTempDirs();
});

// built from parts so that scanners of this repository do not flag it
const SECRET = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

describe('telemetry', () => {
  it('turns saves, checkpoints, log filter changes and events into spans under their author, redacted, and ends them all on dispose', async () => {
    rx = await startOtlpReceiver();
    const audit = new AuditLog(join(makeTempDir('ls-otel-audit-'), 'audit.jsonl'));
    const t = new Telemetry({ config: { url: `${rx.url}/v1/traces` }, session: 'S1', name: 'box', cwd: '/srv/app', audit });
    // a page joins under the placeholder the server was told, and names itself to peers next
    audit.record({ sub: 'p1', name: 'guest', role: 'editor' }, { kind: 'join' });
    const ada = { sub: 'p1', name: 'Ada', role: 'editor' as const };
    audit.renamed(ada);
    audit.record(ada, { kind: 'file', action: 'save', path: 'src/app.ts', version: 'v2' });
    audit.record(ada, { kind: 'checkpoint', id: 2, label: `before deploy ${SECRET}`, source: 'request', redacted: 0 });
    audit.record(ada, { kind: 'input', term: 1, data: 'secret keystrokes' });
    audit.record(ada, { kind: 'logs', action: 'filter', detail: 'request_id=abc level>=error' });
    t.event('log filter', { 'live_sessions.filter': `token ${SECRET}` }, ada);
    t.event('host note', { 'live_sessions.note': 'plain' });
    await t.dispose();
    await audit.close();
    await until(() => rx!.spans.some((s) => s.name === 'live-sessions session'), 'the spans at the receiver');

    const by = (n: string) => rx!.spans.find((s) => s.name === n)!;
    const session = by('live-sessions session');
    const presence = by('participant editor');
    expect(session.parentSpanId).toBe('');
    expect(presence).toMatchObject({ parentSpanId: session.spanId, attributes: { 'live_sessions.author.name': 'Ada' } });
    expect(by('file save')).toMatchObject({ parentSpanId: presence.spanId, attributes: { 'live_sessions.path': 'src/app.ts' } });
    expect(by('checkpoint')).toMatchObject({ parentSpanId: presence.spanId, attributes: { 'live_sessions.checkpoint.id': 2, 'live_sessions.checkpoint.label': 'before deploy [REDACTED:github-token]' } });
    expect(by('log filter')).toMatchObject({ parentSpanId: presence.spanId, attributes: { 'live_sessions.filter': 'token [REDACTED:github-token]' } });
    expect(by('host note').parentSpanId).toBe(session.spanId);
    expect(by('logs filter')).toMatchObject({ parentSpanId: presence.spanId, attributes: { 'live_sessions.logs.detail': 'request_id=abc level>=error' } });
    // keystrokes never become spans, and no secret left
    expect(rx.spans.map((s) => s.name).sort()).toEqual(['checkpoint', 'file save', 'host note', 'live-sessions session', 'log filter', 'logs filter', 'participant editor']);
    expect(rx.bodies.join('')).not.toContain(SECRET);
    // the presence that was open at the end is ended then, within the session
    expect(presence.end).toBeLessThanOrEqual(session.end);
  });
});
