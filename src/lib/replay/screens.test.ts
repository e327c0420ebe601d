import { describe, expect, it } from 'vitest';
import type { TerminalSink } from '../terminal/output-stream.ts';
import { ScreenBuffer } from './screens.ts';

class Log implements TerminalSink {
  calls: string[] = [];
  reset(s: string, c: number, r: number) {
    this.calls.push(`reset ${JSON.stringify(s)} ${c}x${r}`);
  }
  write(d: Uint8Array, done?: () => void) {
    this.calls.push(`write ${new TextDecoder().decode(d)}`);
    done?.();
  }
  resize(c: number, r: number) {
    this.calls.push(`resize ${c}x${r}`);
  }
}

describe('ScreenBuffer', () => {
  it('holds the last reset and the writes after it until a terminal attaches, then forwards', () => {
    const b = new ScreenBuffer();
    b.write(new TextEncoder().encode('dropped by the reset'), () => {});
    b.reset('screen', 100, 30);
    b.write(new TextEncoder().encode('a'), () => {});
    const log = new Log();
    const detach = b.attach(log);
    b.write(new TextEncoder().encode('b'), () => {});
    b.resize(90, 20);
    detach();
    b.write(new TextEncoder().encode('not forwarded'), () => {});
    expect(log.calls).toEqual(['reset "screen" 100x30', 'write a', 'write b', 'resize 90x20']);
  });
});
