import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_SECRET_RULES } from '../../../../../src/content/pii/detectors/api-key.js';
import { ANCHOR_CHECKED_RULE_IDS } from '../../../../../src/content/pii/secret-rules/anchor-checks.js';
import { GITLEAKS_GLOBAL_ALLOWLIST } from '../../../../../src/content/pii/secret-rules/gitleaks-rules.js';
import { SecretRuleMatcher } from '../../../../../src/content/pii/secret-rules/matcher.js';

const checkedRules = DEFAULT_SECRET_RULES.filter((r) => ANCHOR_CHECKED_RULE_IDS.includes(r.id));
const withChecks = new SecretRuleMatcher(checkedRules, GITLEAKS_GLOBAL_ALLOWLIST);
const withoutChecks = new SecretRuleMatcher(
  checkedRules.map(({ anchorChecks: _checks, ...rule }) => rule),
  GITLEAKS_GLOBAL_ALLOWLIST,
);

test('the shipped JWT, Vault and generic rules carry their anchor checks (regex unchanged since written)', () => {
  for (const id of ANCHOR_CHECKED_RULE_IDS) {
    const rule = DEFAULT_SECRET_RULES.find((r) => r.id === id);
    assert.ok(rule?.anchorChecks, `${id} lost its anchor checks: review them against the new regex`);
  }
});

test('secrets next to ordinary words that share their keywords are still found', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const text =
    'They say the key to success is money. Tokens are issued daily; authors access apis. ' +
    `jwt: ${jwt}\nvault s.Xk4Jd8Qp2Lm7Nv9Rt1Wz3Yb6 and password = "hunter2-Zq8vX3mK9pL"\n`;
  const found = withChecks.find(text).map((m) => [m.ruleId, text.slice(m.start, m.end)]);
  assert.deepEqual(found, [
    ['jwt', jwt],
    ['vault-service-token', 's.Xk4Jd8Qp2Lm7Nv9Rt1Wz3Yb6'],
    ['generic-api-key', 'hunter2-Zq8vX3mK9pL'],
  ]);
});

test('anchor checks only skip work: findings equal those without checks on random texts', () => {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const run = (min: number, max: number, alphabet = alnum): fc.Arbitrary<string> =>
    fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
  const piece = fc.oneof(
    fc.constantFrom(
      'key',
      'KEY',
      'they',
      'money',
      'token',
      'api_key',
      'Api',
      'secret',
      'password',
      'passwd',
      'auth',
      'access',
      'creds',
      'credential',
      's.',
      'hvs.',
      'ey',
      'eyJ',
      ' ',
      ' = ',
      ': ',
      '": "',
      '=>',
      '||',
      '?=',
      ',',
      '"',
      "'",
      '\n',
      '.',
      '-',
      '_',
      ';',
      '\t',
    ),
    run(1, 30),
    run(17, 40).map((s) => `ey${s}.ey${s}.${s}`),
    run(24, 24).map((s) => `s.${s}`),
    run(90, 100, `${alnum}_-`).map((s) => `hvs.${s}`),
    run(10, 40, `${alnum}.=-`),
    fc
      .tuple(
        fc.constantFrom('key', 'Token', 'API', 'secret', 'passwd', 'auth', 'Access', 'creds'),
        run(0, 22, `${alnum}_ .-`),
        fc.constantFrom('', '"', "'", ' ', '  "'),
        fc.constantFrom('=', '>', ':', '::=', '||', '=>', '?=', ',', ' ', '-'),
        fc.constantFrom('', ' ', '"', '`', "'"),
        run(10, 40),
        fc.constantFrom('', '"', ';', ' ', '\\n', ')'),
      )
      .map(([k, name, q, op, open, value, end]) => `${k}${name}${q}${op}${open}${value}7${end}`),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const text = pieces.join('');
      assert.deepEqual(withChecks.find(text), withoutChecks.find(text));
    }),
    { numRuns: 400 },
  );
});
