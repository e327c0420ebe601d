/**
 * What adding a capability takes, shown with a tiny one: a protocol (capability byte, write/read,
 * a role table) and a handler registered on the router. Real signaling, real WebRTC between two
 * Node participants; the router decodes, checks roles against the table, dispatches and taps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYONE, readJson, typeOf, WRITERS, writeJson, type Protocol, type Rules } from '../../src/lib/protocol/capability.ts';
import { BULK_WINDOW_BYTES, frame, MAX_MESSAGE_BYTES } from '../../src/lib/protocol/frames.ts';
import { str } from '../../src/lib/protocol/validate.ts';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { newRoomSecret } from '../../src/lib/mesh/room-crypto.ts';
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { until } from '../helpers/wait.ts';

// ---- the protocol file a new capability adds (src/lib/protocol/<name>.ts) ----
type Note = { type: 'note'; text: string } | { type: 'attachment'; data: Uint8Array };
const NOTE_TYPES = ['note', 'attachment'] as const;
const NOTE_CAP = 200;
const notesProtocol: Protocol<Note, Note> = {
  cap: NOTE_CAP,
  name: 'notes',
  write: (m) => (m.type === 'note' ? writeJson(NOTE_CAP, 0, { text: m.text }) : frame(NOTE_CAP, new Uint8Array([1, ...m.data]))),
  read: (body) => {
    const type = typeOf(body, NOTE_TYPES, 'notes');
    return type === 'note' ? { type, text: str(readJson(body, 4096), 'text', 1000) } : { type, data: body.subarray(1) };
  },
  rules: {
    note: { from: WRITERS, to: EVERYONE, denied: 'Viewers cannot write notes.' },
    attachment: { from: WRITERS, to: EVERYONE, lane: 'bulk' }
  } satisfies Rules<Note>
};

let server: SignalingServer;
const peers: NodePeer[] = [];

beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await server.close();
  cleanupWebRTC();
});

describe('a new capability', () => {
  it('is one protocol and one router registration; roles are enforced from its table', async () => {
    const created = await new ApiClient(server.url).createSession({ role: 'owner', name: 'Owner' });
    const secret = newRoomSecret();
    const editor = await joinNodePeer(server.url, created.session, created.invites.editor, secret, { name: 'Eddie' });
    const viewer = await joinNodePeer(server.url, created.session, created.invites.viewer, secret, { name: 'Vic' });
    peers.push(editor, viewer);
    // the "client": what each side does with the capability's messages
    const got = { editor: [] as string[], viewer: [] as string[] };
    const attachments: Uint8Array[] = [];
    editor.mesh.router.register(notesProtocol, (_p, m) => m.type === 'note' && got.editor.push(m.text));
    viewer.mesh.router.register(notesProtocol, (_p, m) => (m.type === 'note' ? got.viewer.push(m.text) : attachments.push(m.data)));
    const tapped: Routed[] = [];
    viewer.mesh.router.tapped.on((r) => tapped.push(r));

    const [toViewer, toEditor] = await Promise.all([editor.peer('viewer'), viewer.peer('editor')]);
    toViewer.send(notesProtocol, { type: 'note', text: 'restarted nginx at 14:02' });
    // a viewer that bypasses its UI: the editor's router refuses it and says why, once
    toEditor.send(notesProtocol, { type: 'note', text: 'sneaky' });
    toEditor.send(notesProtocol, { type: 'note', text: 'sneaky again' });
    await until(() => got.viewer.length === 1 && viewer.errors.length === 1, 'the note and the refusal');
    expect(got.viewer).toEqual(['restarted nginx at 14:02']);
    expect(tapped.map((r) => [r.capability, r.msg])).toContainEqual(['notes', { type: 'note', text: 'restarted nginx at 14:02' }]);
    expect(viewer.errors[0]).toMatchObject({ code: 'forbidden', message: 'Viewers cannot write notes.' });
    // a marker through the same ordered channel: everything the viewer sent before it was handled
    toEditor.send(notesProtocol, { type: 'note', text: 'x'.repeat(1001) });
    await until(() => viewer.errors.length === 2, 'the error for the oversized note');
    expect(viewer.errors[1].message).toMatch(/longer than 1000/);
    expect(got.editor).toEqual([]);

    // A bulk message travels on the bulk lane: a note sent after it arrives first, and no more
    // than the window is ever unacknowledged.
    const big = new Uint8Array(MAX_MESSAGE_BYTES - 16).map((_, i) => (i * 7) % 256);
    let maxInFlight = 0;
    const sample = setInterval(() => (maxInFlight = Math.max(maxInFlight, (toViewer as unknown as { peer: { bulkInFlight: number } }).peer.bulkInFlight)), 1);
    toViewer.send(notesProtocol, { type: 'attachment', data: big });
    toViewer.send(notesProtocol, { type: 'note', text: 'sent after the attachment' });
    await until(() => got.viewer.length === 2, 'the note sent after the attachment');
    expect(attachments).toHaveLength(0);
    await until(() => attachments.length === 1, 'the attachment', 30_000);
    clearInterval(sample);
    expect(attachments[0]).toEqual(big);
    expect(maxInFlight).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(BULK_WINDOW_BYTES);
  });
});
