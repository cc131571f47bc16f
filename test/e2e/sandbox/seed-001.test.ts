/**
 * Seed 001's scenario from inside a real sandbox: a python3 script (standard library only) posts a
 * customer record to a fake api.openai.com. The sandbox's TCP 443 is redirected by its host firewall
 * to the proxy, which intercepts TLS with the sandbox's own CA (trusted through the sandbox's bundle
 * and CA variables), redacts PII, swaps the secure env var's placeholder for the real key, and
 * rehydrates the response. The fake saw tokens; the script got the originals. Nothing leaves the
 * machine: the "internet" is a loopback server, names resolve through a test map.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecurityPolicy } from '../../../src/policy/security-policy.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { requireRoot } from '../../helpers/root.js';
import { startSandboxWorld, type SandboxWorld } from '../../helpers/sandbox-world.js';

const isRoot = process.getuid?.() === 0;
const REAL_KEY = 'sk-real-0123456789abcdefghij';
/** Where the sandbox believes api.openai.com is; its firewall sends port 443 to the proxy anyway. */
const PUBLIC_LOOKING = '198.51.100.7';

let world: SandboxWorld;
let sbx: Sandbox;

const policy = SecurityPolicy.fromJSON({
  pii: { enabled: true, types: ['ssn', 'credit_card', 'email'], action: 'redact', rehydrate_response: true },
  network: { allow_out: ['*.openai.com'], deny_out: ['0.0.0.0/0'] },
  env_security: {
    mask_patterns: ['*_TOKEN'],
    secure_env_vars: [{ key: 'OPENAI_API_KEY', value: REAL_KEY, domains: ['api.openai.com'] }],
  },
});

const SCRIPT = `
import json, os, urllib.request
body = {"model": "gpt-4o-mini", "messages": [{"role": "user",
  "content": "Summarize this customer record: John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111"}]}
req = urllib.request.Request("https://api.openai.com/v1/chat/completions", data=json.dumps(body).encode(),
  headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]})
with urllib.request.urlopen(req, timeout=20) as r:
    print(json.load(r)["choices"][0]["message"]["content"])
`;

before(async () => {
  if (!isRoot) return;
  world = await startSandboxWorld({
    tag: 'tes',
    subnet: 31,
    address: '127.78.31.1',
    dns: { 'api.openai.com': PUBLIC_LOOKING },
  });
  sbx = await world.manager.create({ policy });
  await sbx.files.write('/workspace/call_api.py', SCRIPT);
});

after(async () => {
  if (!isRoot) return;
  await world?.close();
});

test('seed 001 from a sandbox: upstream sees tokens and the real key, the script gets the originals', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run('python3 /workspace/call_api.py', { timeoutMs: 30_000 });
  const seen = world.internet.requests.at(-1);
  assert.ok(seen, 'the fake OpenAI received the request');
  for (const raw of ['123-45-6789', 'john@example.com', '4111 1111 1111 1111']) {
    assert.ok(!seen.body.includes(raw), `${raw} reached upstream`);
    assert.ok(r.stdout.includes(raw), `${raw} not rehydrated for the script: ${r.stdout}`);
  }
  assert.match(seen.body, /\[SSN_[0-9a-f]{6}\]/);
  assert.match(seen.body, /\[EMAIL_[0-9a-f]{6}\]/);
  assert.equal(seen.headers.authorization, `Bearer ${REAL_KEY}`, 'the proxy put the real key in');
  assert.ok(sbx.info().intercepted);
});

test('the secure env var never enters the sandbox: it holds a placeholder', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run(
    "python3 -c \"import os; print(os.environ['OPENAI_API_KEY'].startswith('declaw_secret_OPENAI_API_KEY_'))\"; " +
      `grep -rl "${REAL_KEY}" /proc/self/environ /etc /workspace /home/user /tmp 2>/dev/null | wc -l`,
  );
  assert.equal(r.stdout, 'True\n0\n');
  assert.doesNotMatch(JSON.stringify(sbx.info()), new RegExp(REAL_KEY));
});

test('the sandbox has its CA certificate in its bundle and no private key anywhere', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run(
    'grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt; ' +
      'grep -rIl "PRIVATE KEY" /etc /home /workspace /tmp /run /var 2>/dev/null | wc -l',
  );
  const [certs, keys] = r.stdout.trim().split('\n');
  assert.ok(Number(certs) >= 1);
  assert.equal(keys, '0');
  const bundle = await readFile(join(sbx.paths.etc, 'ca-certificates.crt'), 'utf8');
  assert.ok(
    bundle.trimEnd().endsWith(world.proxy.sessions.get(sbx.id)?.ca.certificatePem.trim() ?? 'missing'),
  );
});

test('curl and Node trust the sandbox CA through the bundle and the CA variables', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const curl = await sbx.commands.run(
    `curl -sS --max-time 20 -H 'content-type: application/json' --data '{"model":"m","messages":[{"role":"user","content":"mail jane@example.org"}]}' https://api.openai.com/v1/chat/completions`,
    { timeoutMs: 30_000 },
  );
  assert.match(curl.stdout, /jane@example\.org/);
  // Node is only visible to sandboxes when the host installed it under /usr (Debian, NodeSource).
  const hasNode = (await sbx.commands.run('command -v node || true')).stdout.trim() !== '';
  if (!hasNode) {
    t.diagnostic('no node under /usr on this host: the Node client check did not run');
    return;
  }
  const node = await sbx.commands.run(
    `node -e 'fetch("https://api.openai.com/v1/chat/completions",{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({model:"m",messages:[{role:"user",content:"SSN 078-05-1120"}]})}).then(r=>r.json()).then(j=>console.log(j.choices[0].message.content))'`,
    { timeoutMs: 30_000 },
  );
  assert.match(node.stdout, /078-05-1120/);
  assert.ok(!world.internet.requests.some((q) => q.body.includes('078-05-1120')));
});

test('a name the policy does not allow gets no answer and no connection', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run(
    'getent hosts api.openai.com; getent hosts exfil.attacker.test || echo NXDOMAIN',
    {
      timeoutMs: 20_000,
    },
  );
  assert.match(r.stdout, new RegExp(`^${PUBLIC_LOOKING.replace(/\./g, '\\.')}\\s+api\\.openai\\.com`));
  assert.match(r.stdout, /NXDOMAIN\n$/);
  const blocked = await sbx.commands
    .run(
      'curl -sS --max-time 10 --resolve evil.example:443:198.51.100.9 https://evil.example/ ; echo rc=$?',
      {
        timeoutMs: 20_000,
      },
    )
    .catch((e) => e.result);
  assert.doesNotMatch(blocked.stdout, /rc=0/);
  assert.ok(
    world.audit.ofType('egress_blocked').some((e) => e.host === 'evil.example' && e.sandboxId === sbx.id),
  );
});
