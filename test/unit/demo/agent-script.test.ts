import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODENAME, CUSTOMER_RECORD, DENIED_DOMAIN, loadAgentScript } from '../../../src/demo/agent-script.js';

test('the demo runs examples/demo/agent.py, and the script uses the values the demo checks', async () => {
  const script = await loadAgentScript();
  assert.match(script, /^# The agent of `declaw demo`/);
  assert.ok(script.includes(`customer record for ${CODENAME}: ${CUSTOMER_RECORD}`), 'prompt matches');
  assert.ok(script.includes(`server_hostname="${DENIED_DOMAIN}"`), 'denied domain matches');
  for (const step of ['chat', 'denied_name', 'denied_address', 'injection']) {
    assert.ok(script.includes(`"${step}"`), `step ${step} is reported`);
  }
});
