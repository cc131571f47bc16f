import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createApiKeyDetector,
  DEFAULT_SECRET_RULES,
} from '../../../../../src/content/pii/detectors/api-key.js';

const keys = createApiKeyDetector();
const found = (text: string): Array<[string, string]> =>
  keys.detect(text).map((f) => [f.detector.replace(/^api_key:/, ''), text.slice(f.start, f.end)]);

// Deterministic random-looking material; none of these are real credentials.
function token(
  length: number,
  seed: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string {
  let s = seed * 2654435761;
  let out = '';
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out += alphabet[(s >>> 0) % alphabet.length];
  }
  return out;
}

test('the providers named in the issue are all detected, each by its own rule', () => {
  const cases: Array<[string, string]> = [
    ['openai-api-key', `sk-${token(20, 1)}T3BlbkFJ${token(20, 2)}`],
    ['openai-api-key-loose', `sk-proj-${token(48, 3)}`],
    ['anthropic-api-key', `sk-ant-api03-${token(93, 4)}AA`],
    ['aws-access-token', `AKIA${token(16, 5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`],
    ['github-pat', `ghp_${token(36, 6)}`],
    ['github-fine-grained-pat', `github_pat_${token(82, 7)}`],
    ['slack-bot-token', `xoxb-1234567890-1234567890123-${token(24, 8)}`],
    ['stripe-access-token', `sk_live_${token(24, 9)}`],
    ['gcp-api-key', `AIza${token(35, 10)}`],
    [
      'jwt',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.' +
        token(43, 11),
    ],
  ];
  for (const [rule, secret] of cases) {
    assert.deepEqual(found(`config: ${secret} end`), [[rule, secret]], rule);
  }
});

test('private-key blocks are detected whole, also when longer than the keyword window', () => {
  for (const bodyLength of [200, 9000]) {
    const block = `-----BEGIN RSA PRIVATE KEY-----\n${token(bodyLength, 12, 'ABCDEFGHabcdefgh0123456789+/\n')}\n-----END RSA PRIVATE KEY-----`;
    assert.deepEqual(found(`key file:\n${block}\nthanks`), [['private-key', block]], String(bodyLength));
  }
});

test('only the secret is reported, not the name or quotes around it', () => {
  const secret = `ghp_${token(36, 13)}`;
  const text = `{"GITHUB_TOKEN": "${secret}"}`;
  const [f] = keys.detect(text);
  assert.equal(text.slice(f?.start, f?.end), secret);
});

test('generic "name = value" secrets need entropy and a digit; words and placeholders are ignored', () => {
  assert.deepEqual(found('password = "s3cr3tP4ssw0rdXyZ9"'), [['generic-api-key', 's3cr3tP4ssw0rdXyZ9']]);
  assert.deepEqual(found('password = "correcthorsebattery"'), []);
  assert.deepEqual(found('api_key = "aaaaaaaaaaaaaaaaaaaa1"'), []);
  assert.deepEqual(found('"max_tokens": 512, "temperature": 0.2'), []);
});

test("gitleaks' allowlists apply: AWS's documented example key is not a secret", () => {
  assert.deepEqual(found('aws_access_key_id = AKIAIOSFODNN7EXAMPLE'), []);
});

test('offsets stay right after non-ASCII text and lone surrogates', () => {
  const secret = `ghp_${token(36, 14)}`;
  const text = `Grüße 😀 \uD800 — token: ${secret}`;
  const [f] = keys.detect(text);
  assert.equal(text.slice(f?.start, f?.end), secret);
});

test('the built-in set puts named formats before generic rules', () => {
  const ids = DEFAULT_SECRET_RULES.map((r) => r.id);
  assert.ok(ids.indexOf('github-pat') < ids.indexOf('generic-api-key'));
  assert.ok(ids.indexOf('openai-api-key-loose') < ids.indexOf('generic-api-key'));
});

test('text without any rule keyword is not scanned and yields nothing', () => {
  assert.deepEqual(keys.detect('The quick brown fox jumps over the lazy dog. '.repeat(1000)), []);
  assert.deepEqual(keys.detect(''), []);
});

test('pathological inputs around keywords finish and find nothing', () => {
  for (const text of [
    'eyJ'.repeat(300_000),
    'key='.repeat(250_000),
    'sk-'.repeat(300_000),
    'token: "'.repeat(100_000),
  ]) {
    assert.deepEqual(keys.detect(text), []);
  }
});
