import { describe, expect, it } from 'vitest';
import { envProtocol, readEnv, writeEnv, type EnvMessage } from './env.ts';
import { CAP } from './frames.ts';
import { ProtocolError } from './validate.ts';
import { snapshot } from '../../../test/helpers/env-fixtures.ts';

const body = (m: EnvMessage) => writeEnv(m).subarray(1);

describe('env protocol', () => {
  it('round-trips every message', () => {
    const msgs: EnvMessage[] = [
      { type: 'list', snapshots: [snapshot(1).info, snapshot(2).info] },
      { type: 'snapshot', snapshot: snapshot(2) },
      { type: 'get', id: 2 },
      { type: 'checkpoint', label: 'before restart' }
    ];
    for (const m of msgs) {
      const wire = writeEnv(m);
      expect(wire[0]).toBe(CAP.ENV);
      expect(readEnv(wire.subarray(1))).toEqual(m);
    }
  });

  it('refuses malformed messages', () => {
    const bad = (b: Uint8Array) => expect(() => readEnv(b)).toThrow(ProtocolError);
    bad(new Uint8Array([9]));
    bad(body({ type: 'get', id: 0 }));
    bad(body({ type: 'checkpoint', label: 'x'.repeat(201) }));
    const s = snapshot(1);
    bad(body({ type: 'snapshot', snapshot: { ...s, sections: { ...s.sections, env: { status: 'maybe' } as never } } }));
    bad(body({ type: 'snapshot', snapshot: { ...s, redactions: [{ where: 'disk' as never, name: 'x', kinds: [] }] } }));
    bad(body({ type: 'list', snapshots: [{ ...s.info, author: { id: 'a', name: 'b', role: 'god' as never } }] }));
  });

  it('sends snapshots on the bulk lane and lets only editors and owners take checkpoints', () => {
    expect(envProtocol.rules.snapshot.lane).toBe('bulk');
    expect(envProtocol.rules.checkpoint.from).toEqual(['owner', 'editor']);
    expect(envProtocol.rules.checkpoint.denied).toBe('Viewers cannot take checkpoints.');
    expect(envProtocol.rules.list.from).toEqual(['host']);
  });
});
