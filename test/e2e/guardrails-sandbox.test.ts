/**
 * Seed 001 with the Guardrails Service, from inside a real sandbox: a python3 script posts a customer
 * record naming "John Smith" to a fake api.openai.com; the transparent proxy asks the (real, loopback)
 * Guardrails Service for names, so the request leaves the sandbox with a [PERSON_NAME_xxxxxx] token
 * beside the built-in SSN token, and the script gets the originals back. Needs root; run it alone:
 * `flock /tmp/declaw-e2e.lock node --import tsx --test test/e2e/guardrails-sandbox.test.ts`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy } from '../../src/policy/security-policy.js';
import { GuardrailsClient } from '../../src/guardrails/client/guardrails-client.js';
import { createGuardrailsService, type GuardrailsService } from '../../src/guardrails/service/index.js';
import { loadDefaultEngines } from '../../src/guardrails/service/default-engines.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { requireRoot } from '../helpers/root.js';
import { startSandboxWorld, type SandboxWorld } from '../helpers/sandbox-world.js';

const isRoot = process.getuid?.() === 0;
const PUBLIC_LOOKING = '198.51.100.9';

let service: GuardrailsService;
let client: GuardrailsClient;
let world: SandboxWorld;
let sbx: Sandbox;

const policy = SecurityPolicy.fromJSON({
  pii: { enabled: true, types: ['person_name', 'ssn'], action: 'redact', rehydrate_response: true },
  network: { allow_out: ['*.openai.com'], deny_out: ['0.0.0.0/0'] },
});

const SCRIPT = `
import json, urllib.request
body = {"model": "gpt-4o-mini", "messages": [{"role": "user",
  "content": "Summarize this customer record: John Smith, SSN 123-45-6789"}]}
req = urllib.request.Request("https://api.openai.com/v1/chat/completions", data=json.dumps(body).encode(),
  headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=20) as r:
    print(json.load(r)["choices"][0]["message"]["content"])
`;

before(async () => {
  if (!isRoot) return;
  service = createGuardrailsService({ engines: () => loadDefaultEngines() });
  await service.listen('127.0.0.1', 0);
  await service.whenReady();
  client = new GuardrailsClient({ url: service.url!, deadlineMs: 5000 });
  world = await startSandboxWorld({
    tag: 'tgr',
    subnet: 47,
    address: '127.78.47.1',
    dns: { 'api.openai.com': PUBLIC_LOOKING },
    proxy: { guardrails: client },
  });
  sbx = await world.manager.create({ policy });
  await sbx.files.write('/workspace/call_api.py', SCRIPT);
});

after(async () => {
  if (!isRoot) return;
  await world?.close();
  client?.close();
  await service?.close();
});

test('"John Smith" leaves the sandbox as a PERSON_NAME token when the Guardrails Service is up', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run('python3 /workspace/call_api.py', { timeoutMs: 30_000 });
  const seen = world.internet.requests.at(-1);
  assert.ok(seen, 'the fake OpenAI received the request');
  assert.match(
    seen.body,
    /Summarize this customer record: \[PERSON_NAME_[0-9a-f]{6}\], SSN \[SSN_[0-9a-f]{6}\]/,
  );
  assert.ok(!seen.body.includes('John Smith'));
  assert.equal(r.stdout.trim(), 'You said: Summarize this customer record: John Smith, SSN 123-45-6789');
  const pii = world.audit.events.find((e) => e.type === 'pii') as
    { types: Array<{ type: string }> } | undefined;
  assert.deepEqual(
    pii?.types.map((x) => x.type),
    ['person_name', 'ssn'],
  );
  assert.equal(world.audit.events.filter((e) => e.type === 'guardrails_fallback').length, 0);
});
