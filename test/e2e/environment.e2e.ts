/**
 * Environment snapshots through the real product: a host agent process with secrets of every kind
 * planted in its environment (and passed on a process's command line), a real Chromium editor.
 * Every frame the page receives is captured on its data channels: no secret appears in any of
 * them, and the page lists each as redacted by name. A checkpoint typed in the shared shell, after
 * exporting a variable, starting processes, opening a port and dirtying a file, shows all four in
 * the side-by-side diff against the start snapshot.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type OpenedPage } from '../helpers/browser.ts';
import { CLI, startHostProcess, startSignalingProcess, stopAll, type HostProcess } from '../helpers/processes.ts';
import { JOIN_TIMEOUT_MS, SEE_TIMEOUT_MS, typeInto, waitForScreen, withQuery } from '../helpers/session-page.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';

// Secrets of every kind the engine knows, built from parts so that scanners of this repository do
// not flag the test itself. Names are chosen so that only the value gives each away (except the first).
const SECRETS: Record<string, string> = {
  DEPLOY_TOKEN: 'plain-value-by-name-7731',
  AWS_LIKE: 'AKIA' + 'ZQ3DRSTUVWXY2345',
  APP_JWT_VALUE: 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiJlMmUtdGVzdCJ9' + '.c2lnbmF0dXJlLWZvci1lMmUtdGVzdA',
  GH_FOR_CI: 'ghp_' + 'e2eA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7',
  GL_FOR_CI: 'glpat-' + 'e2eXyZ12345678901234',
  SLACK_HOOK_ID: 'xoxb-' + '9988776655-e2eabcdefghij',
  DEPLOY_PEM: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIE2eTestKeyMaterialQQ\n-----END EC PRIVATE KEY-----',
  DATABASE_URL: 'postgres://app:' + 'pw-in-url-e2e-5512' + '@db.internal/app',
  RANDOM_BLOB: 'Q9vX2mLp8RtK4wZs7NbY3cHd6JfA1gEu'
};
/** the parts that must never leave the host */
const MUST_NOT_LEAVE = [...Object.entries(SECRETS).map(([k, v]) => (k === 'DATABASE_URL' ? 'pw-in-url-e2e-5512' : k === 'DEPLOY_PEM' ? 'MHcCAQEEIE2eTestKeyMaterialQQ' : v))];

/** Runs in the page before the app: keeps a copy of every frame its data channels receive. */
function captureFrames(): void {
  const w = window as unknown as { __frames: Uint8Array[] };
  w.__frames = [];
  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<typeof create>) {
    const ch = create.apply(this, args);
    ch.addEventListener('message', (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) w.__frames.push(new Uint8Array(e.data.slice(0)));
      else if (typeof e.data === 'string') w.__frames.push(new TextEncoder().encode(e.data));
    });
    return ch;
  };
}

/** Which of `needles` occur in what the page received (chunk headers taken out, so nothing hides across chunks). */
function foundInFrames(page: Page, needles: string[]): Promise<{ found: string[]; bytes: number; redactedMarks: number }> {
  return page.evaluate((needles) => {
    const frames = (window as unknown as { __frames: Uint8Array[] }).__frames;
    const text = frames.map((f) => new TextDecoder('latin1').decode(f[0] === 255 ? f.subarray(2) : f)).join('');
    return { found: needles.filter((n) => text.includes(n)), bytes: text.length, redactedMarks: text.split('[REDACTED:').length - 1 };
  }, needles);
}

let browser: Browser;
let host: HostProcess;
let cwd: string;
let editor: OpenedPage;
/** the host's state directory: its audit log (the record on the box) is in there */
let stateDir: string;

beforeAll(async () => {
  cwd = makeTempDir('live-sessions-env-e2e-');
  writeFileSync(`${cwd}/tracked.txt`, 'one\n');
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'initial');
  const signaling = await startSignalingProcess();
  stateDir = makeTempDir('live-sessions-env-state-');
  host = await startHostProcess(signaling.url, { cwd, shell: '/bin/bash', env: { ...SECRETS, LIVE_SESSIONS_STATE_DIR: stateDir } });
  browser = await launchBrowser();
  editor = await openPage(browser, withQuery(host.links.editor, { name: 'Eve', a11y: '1' }), captureFrames);
  await editor.page.setViewportSize({ width: 1280, height: 800 });
  await editor.page.waitForFunction(() => {
    const s = (window as unknown as { __liveSessions?: { status: string; hostConnected: boolean; terminals: unknown[] } }).__liveSessions;
    return s?.status === 'joined' && s.hostConnected && s.terminals.length > 0;
  }, undefined, { timeout: JOIN_TIMEOUT_MS });
  await editor.page.locator('[data-testid="terminal"] .xterm-accessibility-tree').first().waitFor({ state: 'attached', timeout: SEE_TIMEOUT_MS });
});

afterAll(async () => {
  await browser?.close();
  await stopAll();
  removeTempDirs();
});

describe('environment snapshots', () => {
  it('shows the start snapshot with every planted secret redacted on the host and listed by name', async () => {
    const { page } = editor;
    await page.getByTestId('open-environment').click();
    const env = page.getByTestId('environment');
    await env.getByTestId('snapshot').waitFor({ timeout: SEE_TIMEOUT_MS });
    const listed = await env.getByTestId('redaction').allInnerTexts();
    for (const name of Object.keys(SECRETS)) expect(listed.some((row) => row.includes(name)), `${name} listed as redacted`).toBe(true);
    expect(await env.getByTestId('section-env').getByTestId('redacted').count()).toBeGreaterThanOrEqual(Object.keys(SECRETS).length);
    if (process.env.ENV_SHOTS) await page.screenshot({ path: join(process.env.ENV_SHOTS, 'real-start.png') });
    await env.getByTestId('close-environment').click();
  });

  it('diffs a checkpoint typed in the shared shell against the start: variable, process, port, file', async () => {
    const { page } = editor;
    // the secrets go on a command line through variables, so the keystrokes (audited) hold none
    const py = `import socket,time;s=socket.socket();s.bind(("127.0.0.1",0));s.listen();time.sleep(600)`;
    await typeInto(page, `export ADDED_IN_SHELL=hello-42; sh -c 'sleep 600; :' worker --password "$DEPLOY_TOKEN" --api-key="$GH_FOR_CI" & python3 -c '${py}' & echo two >> tracked.txt\n`);
    await typeInto(page, `'${process.execPath}' '${CLI}' checkpoint after changes\n`);
    await waitForScreen(page, /checkpoint 2 taken: after changes/, undefined, 30_000);

    await page.getByTestId('open-environment').click();
    const env = page.getByTestId('environment');
    await expect.poll(() => env.getByTestId('snapshot-item').count(), { timeout: SEE_TIMEOUT_MS }).toBe(2);
    await env.locator('[data-testid="snapshot-item"][data-snapshot-id="2"] button').click();
    await env.locator('[data-snapshot-id="2"][data-testid="snapshot"]').waitFor({ timeout: SEE_TIMEOUT_MS });
    // the process's command line was redacted too, and is listed by pid and program
    const listed = await env.getByTestId('redaction').allInnerTexts();
    expect(listed.some((row) => /process\s+pid \d+ \(sh\)/.test(row) && /secret-argument|github-token/.test(row))).toBe(true);

    await env.locator('[data-testid="snapshot-item"][data-snapshot-id="1"] [data-testid="compare-from"]').check();
    const diff = env.getByTestId('snapshot-diff');
    await diff.waitFor({ timeout: SEE_TIMEOUT_MS });
    expect(await diff.getByTestId('diff-env-added').allInnerTexts()).toContainEqual(expect.stringContaining('ADDED_IN_SHELL=hello-42'));
    const started = (await diff.getByTestId('diff-process-started').allInnerTexts()).join('\n');
    expect(started).toContain('sleep 600');
    expect(started).toContain('python3 -c');
    expect(await diff.getByTestId('diff-port-opened').allInnerTexts()).toContainEqual(expect.stringMatching(/tcp 127\.0\.0\.1:\d+ python3/));
    expect(await diff.getByTestId('diff-file-dirtied').allInnerTexts()).toContainEqual(expect.stringContaining('tracked.txt'));
    // ENV_SHOTS=DIR keeps a picture of the real diff, to look at
    if (process.env.ENV_SHOTS) await page.screenshot({ path: join(process.env.ENV_SHOTS, 'real-diff.png') });
  });

  it('let no planted secret out in any frame the page received, nor into the audit log', async () => {
    const r = await foundInFrames(editor.page, MUST_NOT_LEAVE);
    expect(r.bytes).toBeGreaterThan(10_000);
    expect(r.redactedMarks).toBeGreaterThan(Object.keys(SECRETS).length);
    expect(r.found).toEqual([]);
    const audit = readFileSync(join(stateDir, host.session, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"kind":"checkpoint"');
    expect(MUST_NOT_LEAVE.filter((secret) => audit.includes(secret))).toEqual([]);
  });
});
