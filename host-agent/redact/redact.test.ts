/**
 * Every kind of secret the engine knows, each with values that must go and ordinary values that
 * look a bit like them and must stay (paths, versions, UUIDs, git hashes, flags).
 */
import { describe, expect, it } from 'vitest';
import { isSecretName, mayHoldSecret, redactText, redactVariable, type SecretKind } from './redact.ts';

// Built from parts so that scanners of this repository do not flag the fixtures themselves.
const GH = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const JWT = 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----';

const NAMES: [string, boolean][] = [
  ['GITHUB_TOKEN', true],
  ['DB_PASSWORD', true],
  ['db_passwd', true],
  ['AWS_SECRET_ACCESS_KEY', true],
  ['STRIPE_API_KEY', true],
  ['apiKey', true],
  ['clientSecret', true],
  ['GOOGLE_APPLICATION_CREDENTIALS', true],
  ['--password', true],
  ['MYTOKEN', true],
  ['SENTRY_DSN', true],
  ['PATH', false],
  ['PWD', false],
  ['OLDPWD', false],
  ['KEYBOARD_LAYOUT', false],
  ['SSH_AUTH_SOCK', false],
  ['TOKENIZERS_PARALLELISM', false],
  ['MONKEY', false],
  ['SSH_KEY_PATH', false],
  ['HOME', false],
  ['PASSENGER_APP_ENV', false]
];

/** text, kinds expected (empty = must come back unchanged), and what must not survive */
const VALUES: [string, SecretKind[], string?][] = [
  // positives, one per kind
  ['AKIA' + 'IOSFODNN7EXAMPLE', ['aws-access-key'], 'IOSFODNN7'],
  [JWT, ['jwt'], 'eyJzdWIi'],
  [GH, ['github-token'], GH],
  ['github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuv', ['github-token'], '11ABCDEFG'],
  ['glpat-' + 'xYz12345678901234567', ['gitlab-token'], 'xYz1234'],
  ['xoxb-' + '1234567890-abcdefghij', ['slack-token'], '1234567890'],
  ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', ['slack-token'], 'T000/B000'],
  ['sk_live_' + 'abcdefghijklmnop1234', ['stripe-key'], 'abcdefghijklmnop1234'],
  ['AIza' + 'SyA1234567890abcdefghijklmnopqrstuv', ['google-api-key'], 'SyA123'],
  [PEM, ['private-key'], 'MIIEowIBAAKCAQEA7'],
  ['postgres://app:hunter2@db.internal:5432/app', ['url-password'], 'hunter2'],
  ['mysql -u root --password=hunter2 -h db', ['secret-argument'], 'hunter2'],
  ['deploy --token s3cr3tvalue now', ['secret-argument'], 's3cr3tvalue'],
  ['{"password": "hunter2", "user": "bob"}', ['secret-argument'], 'hunter2'],
  ['api_key: abc123def', ['secret-argument'], 'abc123def'],
  ['random Zx9Qm2Lp7Rt4Vw8Ys1Kb5Nc3Hd6Jf0Ga here', ['high-entropy'], 'Zx9Qm2Lp7Rt4'],
  ['base64url Zx9Qm2Lp7Rt4-w8Ys1Kb5Nc3H_6Jf0Ga here', ['high-entropy'], 'Zx9Qm2Lp7Rt4'],
  // negatives: near misses of each kind stay as they are
  ['AKIA123', []],
  ['eyJhbGciOiJIUzI1NiJ9 alone', []],
  ['ghp_short', []],
  ['glpat-short', []],
  ['xoxb-1', []],
  ['sk_live_short', []],
  ['-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----', []],
  ['https://example.com:8443/path', []],
  ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', []],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij', []],
  ['--password-file /etc/app/pw', []],
  // negatives: ordinary values stay as they are
  ['/usr/local/lib/node_modules/typescript/lib/tsserver.js', []],
  ['/home/alice/.cache/ms-playwright/chromium_headless_shell-1234/chrome-linux/headless_shell', []],
  ['v24.21.0', []],
  ['Python 3.12.4', []],
  ['550e8400-e29b-41d4-a716-446655440000', []],
  ['HEAD is 4b825dc642cb6eb9a060e54bf8d69288fbee4904', []],
  ['sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', []],
  ['https://registry.npmjs.org/', []],
  ['node /srv/app/server.js --port 8080 --host 0.0.0.0', []],
  ['LANG=en_US.UTF-8 TERM=xterm-256color', []],
  ['https://user@github.com/org/repo.git', []],
  ['rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35', []],
  ['com.example.service.ApplicationConfigurationLoader', []],
  ['root@box:/tmp/live-sessions-tests-aB3dE9/host-record-Xk2j9Q# ls', []],
  ['build-2026-12-02-x86_64-Linux-gnu-rc1.tar.gz', []],
  ['the token was rejected', []],
  ['password reset email sent', []]
];

describe('isSecretName', () => {
  it.each(NAMES)('%s → %s', (name, secret) => expect(isSecretName(name)).toBe(secret));
});

describe('redactText', () => {
  it.each(VALUES)('%s', (text, kinds, gone) => {
    const r = redactText(text);
    expect(r.kinds).toEqual(kinds);
    if (kinds.length === 0) expect(r.text).toBe(text);
    else expect(r.text).toContain(`[REDACTED:${kinds[0]}]`);
    if (gone) expect(r.text).not.toContain(gone);
  });

  it('keeps the rest of a line around a secret', () => {
    expect(redactText('git clone https://bob:pa55@git.example.com/x.git && make').text).toBe(
      'git clone https://bob:[REDACTED:url-password]@git.example.com/x.git && make'
    );
  });
});

describe('mayHoldSecret (the pre-check that lets most log lines skip the engine)', () => {
  const secrets = VALUES.filter(([, kinds]) => kinds.length > 0).map(([text]) => text);
  it.each(secrets)('flags %s, alone and inside a log line', (text) => {
    expect(mayHoldSecret(text)).toBe(true);
    expect(mayHoldSecret(`{"level":"info","msg":"got ${text} from upstream","request_id":"r-0042"}`)).toBe(true);
  });

  it('flags secret names in any case, and passes ordinary log lines over unchanged', () => {
    for (const text of ['DbPassWord=x1', 'X-AUTHORIZATION: abc', 'sEcReT: v', 'Cookie=abc', 'SENTRY_DSN=x']) expect(mayHoldSecret(text), text).toBe(true);
    const plain = [
      '{"time":"2026-12-01T04:00:00.000Z","level":"info","msg":"GET /api/v1/items/42 200","service":"api","request_id":"r-0abc","ms":12}',
      'level=warn msg="slow query" duration=1.2s table=orders',
      'Dec  2 01:00:00 box sshd[123]: Accepted publickey for alice' // "publickey" holds "key": flagged, still unchanged
    ];
    expect(plain.map(mayHoldSecret)).toEqual([false, false, true]);
    for (const text of plain) expect(redactText(text)).toEqual({ text, kinds: [] });
  });
});

describe('redactVariable', () => {
  it('redacts a whole value under a secret name, and only secret parts otherwise', () => {
    expect(redactVariable('DB_PASSWORD', 'plain')).toEqual({ text: '[REDACTED:secret-name]', kinds: ['secret-name'] });
    expect(redactVariable('DB_PASSWORD', '')).toEqual({ text: '', kinds: [] });
    expect(redactVariable('DATABASE_URL', 'postgres://a:b1@h/db').kinds).toEqual(['url-password']);
    expect(redactVariable('PATH', '/usr/bin:/bin')).toEqual({ text: '/usr/bin:/bin', kinds: [] });
  });
});
