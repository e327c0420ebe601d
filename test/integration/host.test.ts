/**
 * The host agent as a peer: Node participants (real WebRTC) against a real host agent with a real
 * PTY. Roles are enforced where the input lands; bad credentials and bad frames are refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME, MAX_FRAME_BYTES, writeControl } from '../../src/lib/protocol/frames.ts';
import { MAX_STRIKES } from '../../src/lib/mesh/mesh.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { TermClient, until } from '../helpers/term-client.ts';
import { expiredToken, forgedToken, otherSessionToken, unsignedToken, wrongAlgToken } from '../helpers/tokens.ts';

let stack: Stack;
const peers: NodePeer[] = [];

async function joinAs(role: 'owner' | 'editor' | 'viewer', name: string, opts: Parameters<typeof joinNodePeer>[4] = {}) {
  const { invite, key } = stack.link(role);
  const p = await joinNodePeer(stack.server.url, stack.agent.session, invite, key, { name, ...opts });
  peers.push(p);
  return p;
}

async function client(role: 'owner' | 'editor' | 'viewer', name: string) {
  const p = await joinAs(role, name);
  await p.peer('host');
  const t = new TermClient(p.mesh, stack.agent.terminals.list()[0].id);
  await until(() => t.snapshots.length > 0, `${name}'s first snapshot`);
  return { p, t };
}

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await stack.dispose();
  cleanupWebRTC();
});

describe('host agent', () => {
  it("runs an editor's input in the PTY and records who typed it", async () => {
    const { t } = await client('editor', 'Eddie');
    t.type('touch by-editor && echo done-$((40+2))\r');
    await t.waitFor(/done-42/);
    expect(existsSync(join(stack.cwd, 'by-editor'))).toBe(true);
    const audited = () =>
      readFileSync(stack.agent.audit.path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .some((e) => e.kind === 'input' && e.who.name === 'Eddie' && e.who.role === 'editor' && e.data.includes('touch by-editor'));
    await until(audited, 'the audit record of the input');
  });

  it("drops a viewer's keystrokes and terminal changes at the host, and tells the viewer", async () => {
    const { t: viewer } = await client('viewer', 'Vera');
    const { t: editor } = await client('editor', 'Ed2');
    const before = stack.agent.hub.stats.refusedInputs;
    viewer.type('touch by-viewer\r');
    viewer.control({ type: 'term-open', cols: 80, rows: 24 });
    await until(() => viewer.errors.length >= 2, 'the refusals');
    expect(viewer.errors.map((e) => e.code)).toEqual(['forbidden', 'forbidden']);
    expect(viewer.errors[0].message).toMatch(/viewer/);
    // a marker from the editor proves the PTY processed everything sent before it
    editor.type('echo marker-$((1+1))-ok\r');
    await viewer.waitFor(/marker-2-ok/);
    expect(existsSync(join(stack.cwd, 'by-viewer'))).toBe(false);
    expect(stack.agent.hub.stats.refusedInputs).toBe(before + 1);
    expect(stack.agent.terminals.list()).toHaveLength(1);
    expect(stack.hostLog.some((l) => /refused \d+ bytes of terminal input from viewer Vera/.test(l))).toBe(true);
  });

  const bad: [string, typeof forgedToken, RegExp][] = [
    ['forged', forgedToken, /signature does not verify/],
    ['expired', expiredToken, /expired/],
    ['wrong-algorithm', wrongAlgToken, /algorithm not allowed/],
    ['unsigned', unsignedToken, /algorithm not allowed|alg/i],
    ['other-session', otherSessionToken, /claim "aud"/]
  ];
  for (const [what, make, reason] of bad) {
    it(`refuses a peer whose credential is ${what}, even one claiming to be an owner`, async () => {
      const intruder = await joinAs('editor', 'Mallory', { helloToken: (cred, fp) => make(stack.server, stack.agent.session, { sub: cred.participant, fp, role: 'owner' }) });
      const refusal = () => stack.hostLog.find((l) => l.startsWith(`refused peer ${intruder.cred.participant}: `));
      await until(() => !!refusal(), 'the refusal');
      expect(refusal()).toMatch(reason);
      expect(stack.agent.mesh.peers.some((p) => p.id === intruder.cred.participant)).toBe(false);
    });
  }

  it('answers malformed and oversized frames with errors, drops an abusive peer, and keeps serving others', async () => {
    const { p: bad, t: badTerm } = await client('editor', 'Fuzzy');
    const { t: good } = await client('editor', 'Goodie');
    const host = await bad.peer('host');
    host.send(writeControl('{"type":"term-resize","id":1,"cols":99999,"rows":1}'));
    host.send(writeControl('not json'));
    host.send(new Uint8Array([FRAME.TERM_OUTPUT, 0, 0, 0, 0, 0, 1, 65]));
    await until(() => badTerm.errors.length >= 3, 'three errors');
    expect(badTerm.errors[0].message).toMatch(/"cols" must be an integer from 1 to 500/);
    expect(badTerm.errors[1].message).toMatch(/not valid JSON/);
    expect(badTerm.errors[2].message).toMatch(/only the host sends terminal output/);
    // an oversized raw frame: the data channel carries it, the host's reader refuses it
    const gone = new Promise<string>((r) => bad.mesh.onPeerGone((p, reason) => p.claims.role === 'host' && r(reason)));
    for (let i = 0; i < MAX_STRIKES; i++) host.send(writeControl('x'.repeat(MAX_FRAME_BYTES + 10)).subarray(0, MAX_FRAME_BYTES));
    await gone;
    expect(stack.hostLog.some((l) => /peer .* closed: too many bad frames/.test(l))).toBe(true);
    good.type('echo still-$((6*7))\r');
    await good.waitFor(/still-42/);
  });
});
