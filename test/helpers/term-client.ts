/**
 * A terminal viewer for Node test peers: subscribes to one of the host's terminals and keeps
 * what arrived (snapshot + ordered live output) the way a browser does, through OutputStream,
 * and re-subscribes from where it left off whenever the host peer comes back.
 */
import { parseFromHost } from '../../src/lib/protocol/control.ts';
import { FRAME, writeControl, writeTermInput } from '../../src/lib/protocol/frames.ts';
import type { Mesh, MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { OutputStream } from '../../src/lib/terminal/output-stream.ts';

export class TermClient {
  snapshots: string[] = [];
  /** live output after the last snapshot, decoded */
  live = '';
  errors: { code: string; message: string }[] = [];
  host: MeshPeer | null = null;
  #stream: OutputStream;
  #dec = new TextDecoder();
  #id: number;

  constructor(mesh: Mesh, id: number) {
    this.#id = id;
    this.#stream = new OutputStream(
      {
        reset: (s) => {
          this.snapshots.push(s);
          this.live = '';
        },
        write: (d) => void (this.live += this.#dec.decode(d, { stream: true })),
        resize: () => {}
      },
      (from) => this.host?.control({ type: 'term-sub', id, from })
    );
    const attach = (p: MeshPeer) => {
      if (p.claims.role !== 'host') return;
      this.host = p;
      p.control({ type: 'term-sub', id, from: this.#stream.resumeFrom() });
    };
    mesh.peers.forEach(attach);
    mesh.onPeer(attach);
    mesh.onPeerGone((p) => {
      if (p === this.host) this.host = null;
    });
    mesh.onFrame((p, f) => {
      if (p.claims.role !== 'host') return;
      if (f.kind === FRAME.TERM_OUTPUT && f.id === id) return this.#stream.output(f.seq, f.data);
      if (f.kind !== FRAME.CONTROL) return;
      const m = parseFromHost(f.json);
      if (m.type === 'term-snapshot' && m.id === id) this.#stream.snapshot(m.seq, m.data, m.cols, m.rows);
      if (m.type === 'error') this.errors.push({ code: m.code, message: m.message });
    });
  }

  /** Everything this client has seen: last snapshot plus live output since. */
  get text(): string {
    return (this.snapshots.at(-1) ?? '') + this.live;
  }

  type(s: string): void {
    this.host?.send(writeTermInput(this.#id, new TextEncoder().encode(s)));
  }

  control(msg: object): void {
    this.host?.send(writeControl(JSON.stringify(msg)));
  }

  async waitFor(re: RegExp, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.text)) {
      if (Date.now() > end) throw new Error(`terminal never showed ${re}; it shows: ${JSON.stringify(this.text.slice(-500))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
