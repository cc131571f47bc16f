import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { AGENT_SCRIPT } from '../../../src/demo/agent-script.js';

test('examples/demo/agent.py is the script the demo runs, so readers see what really ran', async () => {
  const file = await readFile(new URL('../../../examples/demo/agent.py', import.meta.url), 'utf8');
  const body = file
    .split('\n')
    .filter((l, i) => !(i < 2 && l.startsWith('#')))
    .join('\n');
  assert.equal(body, AGENT_SCRIPT);
});
