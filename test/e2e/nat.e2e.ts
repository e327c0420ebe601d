/**
 * Chromium across simulated NATs (test/helpers/nat-lab.ts): signaling and a real coturn on the
 * "public" network, the host agent behind a home router, each browser behind another. The page's
 * participants list says how the host is reached; a page that cannot connect says why.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type OpenedPage } from '../helpers/browser.ts';
import { selfSignedCert, startCoturn, type Coturn } from '../helpers/coturn.ts';
import { NatLab } from '../helpers/nat-lab.ts';
import { spawnCli, startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { leakedAddresses } from '../helpers/recording-pc.ts';
import { withQuery } from '../helpers/session-page.ts';

const SEE_MS = 45_000;
let lab: NatLab;
let coturn: Coturn;
let withTurn: SignalingProcess;
let badSecret: SignalingProcess;
/** TURN over TLS only (turns:, a throwaway self-signed certificate) */
let tlsOnly: SignalingProcess;
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
async function open(lan: string, link: string, browser?: Browser, args: string[] = []): Promise<OpenedPage> {
  const origin = new URL(link).origin;
  if (!browser) browsers.push((browser = await launchBrowser({ executablePath: lab.chromium(lan), args: [`--unsafely-treat-insecure-origin-as-secure=${origin}`, ...args] })));
  return openPage(browser, withQuery(link, { name: `Browser in ${lan}` }), recordReceived);
}

const received = (p: OpenedPage) => p.page.evaluate(() => (window as unknown as { __received: string[] }).__received);

const hostPath = (p: OpenedPage) => p.page.locator('[data-role=host] [data-testid=path]');

beforeAll(async () => {
  lab = await NatLab.start({ home: 'cone', sym: 'symmetric', cafe: 'cone', blocked: 'udp-blocked' });
  // the private networks denied as peers, as an operator does (coturn.ts says why it matters for TCP)
  coturn = await startCoturn({ ip: lab.publicIp, spawn: (c, a) => lab.spawn('public', c, a), deniedPeers: ['10.0.0.0-10.255.255.255'], tls: selfSignedCert(lab.publicIp) });
  const run = lab.in('public');
  const common = ['--host', lab.publicIp, '--no-state'];
  const turn = coturn.turnUrls.flatMap((u) => ['--turn-url', u]);
  withTurn = await startSignalingProcess({ run, args: [...common, '--stun-url', coturn.stunUrl, ...turn, `--turn-secret=${coturn.secret}`] });
  badSecret = await startSignalingProcess({ run, args: [...common, ...turn, '--turn-secret', 'not-the-secret-coturn-has'] });
  tlsOnly = await startSignalingProcess({ run, args: [...common, '--turn-url', coturn.turnsUrl!, `--turn-secret=${coturn.secret}`] });
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

  // Browser to browser: the host agent's ICE (node-datachannel's libjuice) answers Chromium's checks
  // arriving through Chromium's TCP allocation with 400 ("Controlling and controlled attributes
  // mismatch"), so the host is not reached that way yet (README, TURN).
  it('behind a router that blocks UDP: a page reaches another through TURN over TCP and says "relay/tcp"', async () => {
    const h = await host(withTurn);
    const other = await open('cafe', h.links.editor);
    const page = await open('blocked', h.links.editor);
    const toOther = page.page.locator('[data-role=editor] [data-testid=path]');
    await expect.poll(() => toOther.getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('relay');
    expect(await toOther.getAttribute('data-transport')).toBe('tcp');
    expect(await toOther.innerText()).toMatch(/^relay\/tcp · \d+ ms$/);
    await Promise.all([page.close(), other.close()]);
    await h.stop();
  });

  // Not yet possible (README, TURN): Chromium's checks through its TCP allocation carry an ICE
  // tie-breaker of 0 (captured: ICE-CONTROLLED 00…00, while the same page's checks through its UDP
  // allocation carry a random one), which libjuice takes for a missing attribute and answers with
  // 400. The page says so instead of spinning.
  it('behind a router that blocks UDP: the page says plainly that the host agent cannot be reached over TURN/TCP yet', async () => {
    const h = await host(withTurn);
    const page = await open('blocked', h.links.editor);
    const problem = page.page.getByTestId('connect-problem');
    await expect.poll(() => problem.innerText().catch(() => ''), { timeout: SEE_MS }).toMatch(/this network blocks UDP .*host agent cannot be reached over TURN\/TCP yet/);
    await page.close();
    await h.stop();
  });

  it('doctor, run behind that router, says UDP is blocked and what that means for the host agent', async () => {
    const p = spawnCli(['doctor', '--signaling', withTurn.url], { run: lab.in('blocked') });
    const { code } = await p.exited;
    const out = p.stdout.join('\n');
    expect(out).toMatch(/FAIL  TURN turn:203\.0\.113\.1:\d+ did not answer/);
    expect(out).toMatch(/ ok  TURN turn:203\.0\.113\.1:\d+\?transport=tcp allocates a relay \(TCP\)/);
    expect(out).toMatch(/FAIL  this network blocks UDP to the relay .*host agent cannot be reached over TURN\/TCP yet/);
    expect(code).toBe(1);
  });

  // Chromium checks a TURN server's certificate (no way to add a CA to it here): one that it does not
  // trust is a relay it cannot reach, and the page says so; trusted (--ignore-certificate-errors
  // standing in for a CA's certificate), TURN over TLS carries the session.
  it('behind a router that blocks UDP, turns: only: an untrusted certificate is named as an unreachable relay; a trusted one carries "relay/tls"', async () => {
    const h = await host(tlsOnly);
    const refused = await open('blocked', h.links.editor);
    const problem = refused.page.getByTestId('connect-problem');
    await expect.poll(() => problem.innerText().catch(() => ''), { timeout: SEE_MS }).toMatch(/the TURN relay could not be reached \(701 .*turns:/);
    await refused.close();
    const other = await open('cafe', h.links.editor, undefined, ['--ignore-certificate-errors']);
    const page = await open('blocked', h.links.editor, undefined, ['--ignore-certificate-errors']);
    const toOther = page.page.locator('[data-role=editor] [data-testid=path]');
    await expect.poll(() => toOther.getAttribute('data-transport').catch(() => null), { timeout: SEE_MS }).toBe('tls');
    expect(await toOther.innerText()).toMatch(/^relay\/tls · \d+ ms$/);
    await Promise.all([page.close(), other.close()]);
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

  it('the owner makes a running session relay-only: every peer reconnects through the relay, everyone is told, no address travels after', async () => {
    const h = await host(withTurn);
    const owner = await open('cafe', h.links.owner);
    const editor = await open('cafe', h.links.editor, browsers.at(-1));
    // before: direct (through the NAT to the host, on the LAN between the two pages)
    await expect.poll(() => hostPath(owner).getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('stun');
    await expect.poll(() => hostPath(editor).getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('stun');
    // the two pages on one LAN: connected, usually direct (a peer-reflexive pair between private
    // addresses); on a loaded machine ICE may settle on the NAT's public address (hairpin) or the
    // relay first and stay there (CI: 3 full runs in a row, no direct path after 45 s, the last
    // one `stun`), so what this test checks is the switch below
    const pagePath = editor.page.locator('[data-role]:not([data-role=host]) [data-testid=path]');
    await expect.poll(() => pagePath.getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toMatch(/^(direct|stun|relay)$/);
    console.log(`the two pages on one LAN: ${await pagePath.getAttribute('data-kind')} before relay-only`);
    expect(await editor.page.getByTestId('make-relay-only').count()).toBe(0);
    const since = await Promise.all([owner, editor].map(async (p) => (await received(p)).length));
    const hostSince = h.process.stdout.length;
    owner.page.once('dialog', (d) => void d.accept());
    await owner.page.getByTestId('make-relay-only').click();
    for (const p of [owner, editor]) {
      await expect.poll(() => p.page.getByTestId('relay-only').isVisible().catch(() => false), { timeout: SEE_MS }).toBe(true);
      await expect.poll(() => hostPath(p).getAttribute('data-kind').catch(() => null), { timeout: SEE_MS }).toBe('relay');
    }
    // the two pages reach each other through the relay too
    await expect.poll(() => editor.page.locator('[data-testid=path][data-kind=relay]').count(), { timeout: SEE_MS }).toBe(2);
    expect(await waitForHostEvent(h, (e) => e.event === 'path' && e.kind === 'relay', SEE_MS, hostSince)).toMatchObject({ kind: 'relay' });
    for (const [i, p] of [owner, editor].entries()) {
      const after = (await received(p)).slice(since[i]);
      expect(after.join('\n')).toContain(`${lab.publicIp} `);
      expect(leakedAddresses(after, lab.publicIp)).toEqual([]);
      for (const ip of [lab.lan('home').ip, lab.lan('home').routerIp, lab.lan('cafe').ip, lab.lan('cafe').routerIp]) expect(after.join('\n')).not.toContain(ip);
    }
    await Promise.all([owner.close(), editor.close()]);
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
