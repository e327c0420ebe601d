// The page side of the raw data-channel bench. `installPageSide` is serialized by Playwright and
// runs inside Chromium, so it may use nothing from its module: only browser globals and
// `window.__benchToNode` (exposed by dc-pair.ts).

export type PageMode = { kind: 'echo' } | { kind: 'sink'; bytes: number };

export interface PageBench {
  answer(id: number, offer: RTCSessionDescriptionInit, cfg: RTCConfiguration): Promise<RTCSessionDescriptionInit>;
  /** the page offers instead (creates the channel); `accept` takes Node's answer */
  offer(id: number, cfg: RTCConfiguration): Promise<RTCSessionDescriptionInit>;
  accept(id: number, answer: RTCSessionDescriptionInit): Promise<void>;
  addCandidate(id: number, c: RTCIceCandidateInit): Promise<void>;
  /** echo: send every message back; sink: count bytes, send `done <bytes>` once `bytes` arrived */
  setMode(id: number, mode: PageMode): void;
  /** for other page-side bench code (lanes-page.ts); not callable through page.evaluate */
  peerConnection(id: number): RTCPeerConnection | undefined;
  close(id: number): void;
}

export function installPageSide(): void {
  type ToNode = (id: number, kind: string, data: unknown) => Promise<void>;
  const w = window as unknown as { __bench: PageBench; __benchToNode: ToNode };
  const pcs = new Map<number, RTCPeerConnection>();
  const channels = new Map<number, RTCDataChannel>();
  const modes = new Map<number, PageMode>();

  const onMessage = (id: number, ch: RTCDataChannel) => {
    let received = 0;
    ch.onmessage = (e: MessageEvent) => {
      const mode = modes.get(id) ?? { kind: 'echo' };
      if (mode.kind === 'echo') {
        ch.send(e.data);
        return;
      }
      received += typeof e.data === 'string' ? e.data.length : (e.data as ArrayBuffer).byteLength;
      if (received >= mode.bytes) {
        ch.send(`done ${received}`);
        received = 0;
      }
    };
  };

  const create = (id: number, cfg: RTCConfiguration) => {
    const pc = new RTCPeerConnection(cfg);
    pcs.set(id, pc);
    const tell = (kind: string, data: unknown) => void w.__benchToNode(id, kind, data);
    pc.onicecandidate = (e) => tell('candidate', e.candidate ? e.candidate.toJSON() : null);
    pc.onicegatheringstatechange = () => tell('gathering', pc.iceGatheringState);
    pc.oniceconnectionstatechange = () => tell('ice', pc.iceConnectionState);
    pc.onconnectionstatechange = () => tell('connection', pc.connectionState);
    const adopt = (ch: RTCDataChannel) => {
      ch.binaryType = 'arraybuffer';
      channels.set(id, ch);
      onMessage(id, ch);
      if (ch.readyState === 'open') tell('channel', 'open');
      else ch.onopen = () => tell('channel', 'open');
    };
    pc.ondatachannel = (e) => adopt(e.channel);
    return { pc, adopt };
  };

  w.__bench = {
    async offer(id, cfg) {
      const { pc, adopt } = create(id, cfg);
      adopt(pc.createDataChannel('bench'));
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.toJSON();
    },
    async accept(id, answer) {
      await pcs.get(id)?.setRemoteDescription(answer);
    },
    async answer(id, offer, cfg) {
      const { pc } = create(id, cfg);
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription(await pc.createAnswer());
      return pc.localDescription!.toJSON();
    },
    async addCandidate(id, c) {
      await pcs.get(id)?.addIceCandidate(c);
    },
    setMode(id, mode) {
      modes.set(id, mode);
    },
    peerConnection(id) {
      return pcs.get(id);
    },
    close(id) {
      channels.get(id)?.close();
      pcs.get(id)?.close();
      channels.delete(id);
      pcs.delete(id);
      modes.delete(id);
    }
  };
}
