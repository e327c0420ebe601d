/**
 * Join speed: the host sends a new participant every terminal's snapshot as soon as their channel
 * opens, without waiting to be asked; the participant's TerminalClient keeps it (and the output
 * after it) until its page attaches the terminal, which then shows at once and asks for nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { useStack } from '../helpers/stack.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { until } from '../helpers/wait.ts';

const stack = useStack();

describe('snapshot on connect', () => {
  it('arrives before the page asks, and attaching uses it without a request', async () => {
    const asked: Routed[] = [];
    stack.agent.mesh.router.tapped.on((r) => r.capability === 'terminal' && r.msg.type === 'sub' && asked.push(r));
    const p = await stack.join('viewer', 'Early Eve');
    const got: Routed[] = [];
    p.mesh.router.tapped.on((r) => r.capability === 'terminal' && r.msg.type === 'snapshot' && got.push(r));
    await until(() => got.length > 0, 'a snapshot nobody asked for');
    const id = stack.agent.terminals.list()[0].id;
    const screen = new TermScreen(p.terminals, id);
    expect(screen.snapshots).toHaveLength(1); // at once, from what the client kept
    expect(asked.filter((r) => r.peer.claims.name === 'Early Eve')).toEqual([]);
    // and it is live: output after the snapshot arrives in order
    const editor = await stack.join('editor', 'Ed');
    await editor.peer('host');
    editor.terminals.input(id, 'echo early-$((40+2))\r');
    await screen.waitFor(/early-42/);
  });
});
