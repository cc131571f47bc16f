import { test } from 'node:test';
import assert from 'node:assert/strict';

// These import the built package through its own "exports" map, as users do (`npm run build` first).
test('the package entry exports the policy model, engines, proxy and sandbox runtime', async () => {
  const m = await import('declaw');
  for (const name of [
    'SecurityPolicy',
    'PIIConfig',
    'ALL_TRAFFIC',
    'createPiiScanner',
    'TransformEngine',
    'createInjectionScorer',
    'ProxyServer',
    'SandboxManager',
    'PolicyInvalidError',
  ]) {
    assert.ok(name in m, `declaw does not export ${name}`);
  }
});

test('declaw/sdk exports the client shaped like the hosted SDK', async () => {
  const m = await import('declaw/sdk');
  for (const name of ['Sandbox', 'EmbeddedBackend', 'CommandExitError', 'PIIConfig', 'ALL_TRAFFIC']) {
    assert.ok(name in m, `declaw/sdk does not export ${name}`);
  }
});
