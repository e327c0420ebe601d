import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const PAGE = `data:text/html,<script>console.error('boom from console'); setTimeout(() => { throw new Error('kaput') })</script><p>hi</p>`;

/** Creates an RTCPeerConnection in the page; returns its full (non-trickle) SDP. */
async function describeAfterGathering(page: Page, remote: RTCSessionDescriptionInit | null): Promise<RTCSessionDescriptionInit> {
  return page.evaluate(async (remote) => {
    const w = window as unknown as { pc: RTCPeerConnection; got: Promise<string> };
    const pc = (w.pc = new RTCPeerConnection());
    const opened = (dc: RTCDataChannel) =>
      new Promise<string>((resolve) => {
        dc.onmessage = (e) => resolve(String(e.data));
        dc.onopen = () => dc.send('hello from ' + (remote ? 'answerer' : 'offerer'));
      });
    if (remote) {
      w.got = new Promise((resolve) => (pc.ondatachannel = (e) => opened(e.channel).then(resolve)));
      await pc.setRemoteDescription(remote);
      await pc.setLocalDescription(await pc.createAnswer());
    } else {
      w.got = opened(pc.createDataChannel('t'));
      await pc.setLocalDescription(await pc.createOffer());
    }
    if (pc.iceGatheringState !== 'complete') {
      // A deadline, not a pause: without a usable interface Chromium may never finish gathering.
      const done = new Promise<void>((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
      const late = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('ICE gathering did not complete in 5 s: run inside scripts/netns.sh')), 5_000)
      );
      await Promise.race([done, late]);
    }
    return pc.localDescription!.toJSON();
  }, remote);
}

describe('launchBrowser / openPage', () => {
  it('opens a page in its own context and collects console errors and uncaught exceptions', async () => {
    const p = await openPage(browser, PAGE);
    await expect.poll(() => p.errors.length).toBe(2);
    expect(p.errors[0]).toBe('boom from console');
    expect(p.errors[1]).toMatch(/uncaught: kaput/);
    expect(await p.page.textContent('p')).toBe('hi');
    await p.close();
    expect(browser.contexts()).not.toContain(p.context);
  });

  it('connects two pages over WebRTC (needs the network namespace of scripts/netns.sh)', async () => {
    const [a, b] = [await openPage(browser, 'about:blank'), await openPage(browser, 'about:blank')];
    const offer = await describeAfterGathering(a.page, null);
    expect(offer.sdp, 'Chromium gathered no ICE candidate: run inside scripts/netns.sh').toMatch(/a=candidate/);
    const answer = await describeAfterGathering(b.page, offer);
    await a.page.evaluate((answer) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription(answer), answer);
    const got = (p: Page) => p.evaluate(() => (window as unknown as { got: Promise<string> }).got);
    expect(await got(a.page)).toBe('hello from answerer');
    expect(await got(b.page)).toBe('hello from offerer');
    await Promise.all([a.close(), b.close()]);
  }, 20_000);
});
