// A raw data channel between Node (node-datachannel's RTCPeerConnection polyfill) and a Chromium
// page, with no signaling server: SDP and trickled candidates go straight through Playwright
// (page.evaluate one way, page.exposeFunction the other). Node offers, the page answers.
// Each connection keeps a timeline (ms since `new RTCPeerConnection`) to explain slow connects.
import type { Page } from 'playwright-core';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { installPageSide, type PageBench } from './dc-page.ts';

export interface DcPair {
  id: number;
  pc: RTCPeerConnection;
  dc: RTCDataChannel;
  /** ms from `new RTCPeerConnection` to the Node side's channel `open` */
  connectMs: number;
  /** [ms since start, event] on both sides, in order of arrival in Node */
  timeline: [number, string][];
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** RTCConfiguration for the Node side (the page side gets `pageConfig`) */
  config?: RTCConfiguration;
  pageConfig?: RTCConfiguration;
  /** pass Chromium's mDNS `.local` candidates to node-datachannel (default: drop them) */
  keepMdns?: boolean;
  /** who creates the offer and the channel (default: node) */
  offerer?: 'node' | 'page';
  /** ms before giving up */
  timeoutMs?: number;
}

let nextId = 1;
const pending = new Map<number, { pc: RTCPeerConnection; mark: (what: string) => void; keepMdns: boolean }>();

/** Whether an a=candidate line names its address with an mDNS `.local` hostname. */
export function isMdns(line: string): boolean {
  return /\.local$/i.test(line.replace(/^a=/, '').split(' ')[4] ?? '');
}

/** Prepares `page` for `connectPair` (once per page). */
export async function preparePage(page: Page): Promise<void> {
  await page.exposeFunction('__benchToNode', (id: number, kind: string, data: unknown) => {
    const p = pending.get(id);
    if (!p) return;
    if (kind === 'candidate') {
      const c = data as RTCIceCandidateInit | null;
      p.mark(`page candidate ${c ? describeCandidate(c.candidate ?? '') : '(end)'}`);
      if (!c || !c.candidate) return;
      // Chromium hides its address behind an mDNS name. libdatachannel cannot use it and resolves
      // it with a blocking getaddrinfo in a detached thread (~12 s in the namespace, where DNS is
      // unreachable); the connection comes up through the peer-reflexive candidate anyway.
      if (isMdns(c.candidate) && !p.keepMdns) return p.mark('node ignores the mDNS candidate');
      p.pc.addIceCandidate(c).catch((e: Error) => p.mark(`node addIceCandidate failed: ${e.message}`));
    } else {
      p.mark(`page ${kind} ${String(data)}`);
    }
  });
  await page.evaluate(installPageSide);
}

/** "host udp 10.203.0.1" or "host udp 3f2a….local" from an a=candidate line. */
export function describeCandidate(line: string): string {
  const f = line.replace(/^a=/, '').split(' ');
  const typ = f[f.indexOf('typ') + 1];
  return `${typ} ${f[2]?.toLowerCase()} ${f[4]}`;
}

export async function connectPair(page: Page, opts: ConnectOptions = {}): Promise<DcPair> {
  const id = nextId++;
  const t0 = performance.now();
  const timeline: [number, string][] = [];
  const mark = (what: string) => timeline.push([Math.round((performance.now() - t0) * 10) / 10, what]);
  const pc = new RTCPeerConnection(opts.config ?? { iceServers: [] });
  pending.set(id, { pc, mark, keepMdns: opts.keepMdns ?? false });

  let answered = false;
  const early: RTCIceCandidateInit[] = [];
  const toPage = (c: RTCIceCandidateInit) =>
    page.evaluate(([id, c]) => (window as unknown as { __bench: PageBench }).__bench.addCandidate(id, c), [id, c] as const).catch(() => {});
  pc.onicecandidate = (e) => {
    mark(`node candidate ${e.candidate ? describeCandidate(e.candidate.candidate) : '(end)'}`);
    if (!e.candidate) return;
    const c = e.candidate.toJSON ? e.candidate.toJSON() : { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid };
    if (answered) void toPage(c);
    else early.push(c);
  };
  pc.onicegatheringstatechange = () => mark(`node gathering ${pc.iceGatheringState}`);
  pc.oniceconnectionstatechange = () => mark(`node ice ${pc.iceConnectionState}`);
  pc.onconnectionstatechange = () => mark(`node connection ${pc.connectionState}`);

  let dc: RTCDataChannel | undefined;
  const opened = new Promise<RTCDataChannel>((resolve, reject) => {
    const adopt = (ch: RTCDataChannel) => {
      dc = ch;
      ch.binaryType = 'arraybuffer';
      if (ch.readyState === 'open') resolve(ch);
      ch.onopen = () => resolve(ch);
      ch.onerror = (e) => reject(new Error(`data channel error: ${String((e as unknown as { error?: Error }).error?.message ?? e)}`));
    };
    if (opts.offerer === 'page') pc.ondatachannel = (e) => adopt(e.channel as unknown as RTCDataChannel);
    else adopt(pc.createDataChannel('bench') as unknown as RTCDataChannel);
  });
  const close = async () => {
    pending.delete(id);
    try {
      dc?.close();
    } catch {}
    pc.close();
    await page.evaluate((id) => (window as unknown as { __bench: PageBench }).__bench.close(id), id).catch(() => {});
  };

  const timeoutMs = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (opts.offerer === 'page') {
      const offer = await page.evaluate(([id, cfg]) => (window as unknown as { __bench: PageBench }).__bench.offer(id, cfg), [id, opts.pageConfig ?? {}] as const);
      mark('page offer received');
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription(await pc.createAnswer());
      mark('node answer set');
      const answer = { type: 'answer' as const, sdp: pc.localDescription!.sdp };
      await page.evaluate(([id, answer]) => (window as unknown as { __bench: PageBench }).__bench.accept(id, answer), [id, answer] as const);
      mark('page answer set');
    } else {
      await pc.setLocalDescription(await pc.createOffer());
      mark('node offer set');
      const offer = { type: 'offer' as const, sdp: pc.localDescription!.sdp };
      const answer = await page.evaluate(([id, offer, cfg]) => (window as unknown as { __bench: PageBench }).__bench.answer(id, offer, cfg), [id, offer, opts.pageConfig ?? {}] as const);
      mark('page answer received');
      await pc.setRemoteDescription(answer);
      mark('node answer set');
    }
    answered = true;
    for (const c of early.splice(0)) void toPage(c);
    await Promise.race([
      opened,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`data channel did not open within ${timeoutMs} ms`)), timeoutMs)))
    ]);
  } catch (err) {
    await close();
    throw Object.assign(err as Error, { timeline });
  } finally {
    clearTimeout(timer);
  }
  const channel = await opened;
  const connectMs = performance.now() - t0;
  mark('node channel open');
  return { id, pc, dc: channel, connectMs, timeline, close };
}
