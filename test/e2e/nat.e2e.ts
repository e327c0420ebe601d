/**
 * Chromium across simulated NATs (test/helpers/nat-lab.ts): signaling and a real coturn on the
 * "public" network, the host agent behind a home router, each browser behind another. The page's
 * participants list says how the host is reached; a page that cannot connect says why.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type OpenedPage } from '../helpers/browser.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { NatLab } from '../helpers/nat-lab.ts';
import { startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { leakedAddresses } from '../helpers/recording-pc.ts';
import { withQuery } from '../helpers/session-page.ts';

const SEE_MS = 45_000;
let lab: NatLab;
let coturn: Coturn;
let withTurn: SignalingProcess;
let badSecret: SignalingProcess;
const browsers: Browser[] = [];

/** Runs in the page: keeps every description and candidate the page is given by its peers. */
function recordReceived(): void {
  const w = window as unknown as { __received: string[] };
  w.__received = [];
  const proto = RTCPeerConnection.prototype as unknown as Record<string, (this: RTCPeerConnection, arg?: { sdp?: string; candidate?: string }) => Promise<void>>;
  const setRemote = proto.setRemoteDescription;
  proto.setRemoteDescription = function (d) {
    w.__received.push(d?.sdp ?? '');
    return setRemote.call(this, d);
  };
  const addCandidate = proto.addIceCandidate;
  proto.addIceCandidate = function (c) {
    if (c?.candidate) w.__received.push(`a=${c.candidate}`);
    return addCandidate.call(this, c);
  };
}

/** A browser in `lan` opening `link` (plain http at a public address: treated as secure, as TLS would make it). */
async function open(lan: string, link: string): Promise<OpenedPage> {
  const origin = new URL(link).origin;
  const browser = await launchBrowser({ executablePath: lab.chromium(lan), args: [`--unsafely-treat-insecure-origin-as-secure=${origin}`] });
  browsers.push(browser);
  return openPage(browser, withQuery(link, { name: `Browser in ${lan}` }), recordReceived);
}

const hostPath = (p: OpenedPage) => p.page.locator('[data-role=host] [data-testid=path]');

beforeAll(async () => {
  lab = await NatLab.start({ home: 'cone', sym: 'symmetric', cafe: 'cone' });
  coturn = await startCoturn({ ip: lab.publicIp, spawn: (c, a) => lab.spawn('public', c, a) });
  const run = lab.in('public');
  const common = ['--host', lab.publicIp, '--no-state'];
  const turn = coturn.turnUrls.flatMap((u) => ['--turn-url', u]);
  withTurn = await startSignalingProcess({ run, args: [...common, '--stun-url', coturn.stunUrl, ...turn, `--turn-secret=${coturn.secret}`] });
  badSecret = await startSignalingProcess({ run, args: [...common, ...turn, '--turn-secret', 'not-the-secret-coturn-has'] });
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await stopAll();
});

async function host(signaling: SignalingProcess, args: string[] = []): Promise<HostProcess> {
  return startHostProcess(signaling.url, { run: lab.in('home'), shell: '/bin/sh', args });
}

describe('across NATs, in Chromium', () => {
  it('behind a symmetric NAT: the page reaches the host through the TURN relay and says so', async () => {
    const h = await host(withTurn);
    const page = await open('sym', h.links.editor);
    await expect.poll(() => hostPath(page).getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('relay');
    expect(await hostPath(page).innerText()).toMatch(/^relay · \d+ ms$/);
    expect(await waitForHostEvent(h, (e) => e.event === 'path')).toMatchObject({ kind: 'relay' });
    await page.close();
    await h.stop();
  });

  it('relay-only: connected, and no SDP or candidate the page received names a private or NAT address', async () => {
    const h = await host(withTurn, ['--relay-only']);
    const page = await open('cafe', h.links.editor);
    await expect.poll(() => hostPath(page).getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('relay');
    const received = await page.page.evaluate(() => (window as unknown as { __received: string[] }).__received);
    expect(received.join('\n')).toContain(`${lab.publicIp} `);
    expect(leakedAddresses(received, lab.publicIp)).toEqual([]);
    for (const ip of [lab.lan('home').ip, lab.lan('home').routerIp]) expect(received.join('\n')).not.toContain(ip);
    await page.close();
    await h.stop();
  });

  it('credentials the relay refuses: the page says so instead of spinning', async () => {
    const h = await host(badSecret, ['--relay-only']);
    const page = await open('cafe', h.links.editor);
    const problem = page.page.getByTestId('connect-problem');
    await expect.poll(() => problem.innerText().catch(() => ''), { timeout: SEE_MS }).toMatch(/refused our credentials \(401/);
    await page.close();
    await h.stop();
  });
});
