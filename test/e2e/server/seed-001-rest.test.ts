/**
 * Seed 001 ("Example: OpenAI call with PII redaction") through the REST API: @declaw/sdk creates the
 * sandbox with the seed's policy, writes the agent script and runs it with python3. The openai Python
 * package is not installable here, so the script makes the same chat.completions call with httpx and
 * with requests (Debian's packages), both going through the proxy unchanged. The fake api.openai.com
 * must see tokens; the agent must see the original values again. Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, createPIIConfig, createSecurityPolicy, PIIType, RedactionAction } from '@declaw/sdk';
import type { Daemon } from '../../../src/server/daemon.js';
import { requireRoot } from '../../helpers/root.js';
import {
  LOOPBACK_LAB,
  startTestInternet,
  testUpstreamTrust,
  type TestInternet,
} from '../../helpers/test-internet.js';
import { startTestDaemon } from './daemon-fixture.js';

const isRoot = process.getuid?.() === 0;
let internet: TestInternet;
let daemon: Daemon;

// Seed 001's policy, as the SDK builds it (network given as a dict, as in the seed).
const seedPolicy = () =>
  createSecurityPolicy({
    pii: createPIIConfig({
      enabled: true,
      types: [PIIType.SSN, PIIType.CreditCard, PIIType.Email],
      action: RedactionAction.Redact,
      rehydrateResponse: true,
    }),
    network: { allowOut: ['*.openai.com'], denyOut: ['0.0.0.0/0'], allowPublicTraffic: true },
  });

const script = (client: 'httpx' | 'requests') => `
import ${client}
body = {"model": "gpt-4o-mini", "messages": [{"role": "user",
  "content": "Summarize this customer record: John Smith, SSN 123-45-6789, email john@example.com"}]}
r = ${client}.post("https://api.openai.com/v1/chat/completions", json=body,
  headers={"Authorization": "Bearer sk-test"}, timeout=20)
r.raise_for_status()
print(r.json()["choices"][0]["message"]["content"])
`;

before(async () => {
  if (!isRoot) return;
  internet = await startTestInternet({
    names: ['api.openai.com'],
    address: '127.78.42.1',
    ports: { https: 443, http: 80 },
  });
  ({ daemon } = await startTestDaemon('tsd', 42, {
    upstreamTrust: await testUpstreamTrust(internet),
    resolver: internet.resolver,
    labNetwork: LOOPBACK_LAB,
    dnsMap: { 'api.openai.com': '198.51.100.7' },
  }));
});

after(async () => {
  await daemon?.close();
  await internet?.close();
});

for (const client of ['httpx', 'requests'] as const) {
  test(`seed 001 with python3-${client}: upstream gets tokens, the agent gets its values back`, async (t) => {
    if (!requireRoot(t, 'sandboxes need namespaces')) return;
    const sbx = await Sandbox.create({ security: seedPolicy(), timeout: 120 });
    try {
      await sbx.files.write('/workspace/call_api.py', script(client));
      const seen = internet.requests.length;
      const result = await sbx.commands.run('python3 /workspace/call_api.py');
      assert.equal(result.exitCode, 0, result.stderr);
      const upstream = internet.requests.slice(seen).find((r) => r.path === '/v1/chat/completions');
      assert.ok(upstream, 'the fake OpenAI was called');
      assert.doesNotMatch(upstream.body, /123-45-6789|john@example\.com/);
      assert.match(upstream.body, /\[SSN_[0-9a-f]{6}\]/);
      assert.match(upstream.body, /\[EMAIL_[0-9a-f]{6}\]/);
      // The fake echoes the prompt; rehydration restored the originals before the agent read them.
      assert.match(result.stdout, /SSN 123-45-6789, email john@example\.com/);
      const denied = await sbx.commands.run(
        `python3 -c "import ${client}; ${client}.get('https://example.com', timeout=5)"`,
      );
      assert.notEqual(denied.exitCode, 0, 'a name outside allow_out gets nowhere');
    } finally {
      await sbx.kill({ wait: true });
    }
  });
}
