import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'declaw-policy-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('policy check prints the normalised policy of a valid YAML file and exits 0', async () => {
  const r = await runCli(['policy', 'check', 'examples/policy-full-stack.yaml']);
  assert.equal(r.code, 0, r.stderr);
  const printed = parse(r.stdout);
  assert.deepEqual(printed.network.allow_out, ['*.openai.com', 'pypi.org']);
  assert.equal(printed.audit.retention_days, 7);
  assert.match(r.stdout, /TLS interception: yes/);
});

test('policy check reads JSON and prints JSON with --json', async () => {
  const p = file('p.json', JSON.stringify({ network: { allow_out: ['pypi.org'], deny_out: ['0.0.0.0/0'] } }));
  const r = await runCli(['policy', 'check', '--json', p]);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, true);
  assert.equal(out.policy.pii.enabled, false);
});

test('policy check lists every error with its path and fix, and exits 1', async () => {
  const p = file(
    'bad.yaml',
    'pii:\n  types: [ssn, creditcard]\ninjection_defense:\n  threshold: 1.5\nnetwork:\n  allow_out: ["*.com"]\n',
  );
  const r = await runCli(['policy', 'check', p]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /3 problems/);
  assert.match(r.stderr, /\$\.pii\.types\[1\]: unknown PII type "creditcard"/);
  assert.match(r.stderr, /fix: did you mean "credit_card"/);
  assert.match(r.stderr, /\$\.injection_defense\.threshold/);
  assert.match(r.stderr, /\$\.network\.allow_out\[0\]: "\*\.com" is over-broad/);
});

test('policy check --json reports errors as JSON with the stable code', async () => {
  const p = file('bad.json', '{"pii": {"action": "redcat"}}');
  const r = await runCli(['policy', 'check', '--json', p]);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.error.code, 'DECLAW_POLICY_INVALID');
  assert.equal(out.error.issues[0].path, '$.pii.action');
});

test('policy check on a missing file says so', async () => {
  const r = await runCli(['policy', 'check', join(dir, 'nope.yaml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /DECLAW_FILE_UNREADABLE.*cannot read/);
});

test('policy check never prints secret values', async () => {
  const p = file(
    's.yaml',
    'env_security:\n  secure_env_vars:\n    - key: OPENAI_API_KEY\n      value: sk-very-secret\n      domains: [api.openai.com]\n',
  );
  const r = await runCli(['policy', 'check', p]);
  assert.equal(r.code, 0);
  assert.ok(!r.stdout.includes('sk-very-secret'));
  assert.match(r.stdout, /\*\*\*\*/);
});
