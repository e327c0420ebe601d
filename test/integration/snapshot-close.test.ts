/**
 * A terminal closed while a participant's snapshot of it is still being made (its mirror waits for
 * a clean VT boundary, up to SNAPSHOT_SETTLE_MS, on the mirror's thread): the host goes on, and the
 * participant is told, instead of the failed snapshot ending the host.
 */
import { describe, expect, it } from 'vitest';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { useStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

const stack = useStack();

describe('a terminal closed during a snapshot', () => {
  it('leaves the host running and the participant able to use another terminal', async () => {
    const first = stack.agent.terminals.list()[0].id;
    const term = stack.agent.terminals.get(first)!;
    let text = '';
    term.onOutput((_seq, d) => (text += new TextDecoder().decode(d)));
    // output that stays inside an OSC string: a snapshot waits (up to SNAPSHOT_MAX_WAIT_MS) for it to end
    term.write("printf 'half\\033]0;'; while :; do printf x; sleep 0.02; done\r");
    await until(() => text.includes('half\x1b]0;x'), 'the unfinished sequence');
    const p = await stack.join('editor', 'Cleo');
    await p.peer('host');
    // the host's snapshot for Cleo is being made now, as is this one
    const snapping = term.snapshot();
    stack.agent.terminals.close(first);
    await expect(snapping).rejects.toThrow(/closed/);
    // the host is alive and serves the participant: it learns of a new terminal
    const lists: Routed[] = [];
    p.mesh.router.tapped.on((r) => r.capability === 'terminal' && r.msg.type === 'terms' && lists.push(r));
    const second = stack.agent.terminals.open(80, 24).id;
    const listed = () => lists.some((r) => (r.msg as unknown as { list: { id: number }[] }).list.some((t) => t.id === second));
    await until(listed, 'the new terminal to reach the participant');
    expect(stack.agent.terminals.list().map((t) => t.id)).toEqual([second]);
  });
});
