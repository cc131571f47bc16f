import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PreflightFailedError } from '../../../src/errors.js';
import { judgeClaims } from '../../../src/demo/claims.js';
import { renderJson, renderText, wantColor } from '../../../src/demo/report.js';
import { runDemo, type DemoEvidence } from '../../../src/demo/run-demo.js';

const KEY = 'sk-demo-SECRETSECRETSECRET99';
const ESC = '\u001b[';

function evidence(): DemoEvidence {
  const sent = 'record: SSN 123-45-6789';
  return {
    realKey: KEY,
    sandboxId: 'sbx0000000',
    agent: {
      exitCode: 0,
      stdout: '',
      stderr: '',
      steps: [{ step: 'chat', status: 200, sent, reply: sent, key_is_placeholder: true }],
    },
    upstream: [
      {
        method: 'POST',
        path: '/v1/chat/completions',
        host: 'api.openai.com',
        authorization: `Bearer ${KEY}`,
        body: JSON.stringify({ messages: [{ content: 'record: SSN [SSN_abcdef]' }] }),
      },
    ],
    audit: [],
  };
}

test('colour only on a terminal, and never with NO_COLOR set', () => {
  assert.equal(wantColor(true, {}), true);
  assert.equal(wantColor(false, {}), false);
  assert.equal(wantColor(true, { NO_COLOR: '1' }), false);
  assert.equal(wantColor(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
});

test('the text report shows upstream tokens next to the agent original, coloured only when asked', () => {
  const e = evidence();
  const plain = renderText(e, judgeClaims(e), { color: false });
  assert.ok(!plain.includes(ESC));
  assert.match(plain, /upstream got +record: SSN \[SSN_abcdef\]/);
  assert.match(plain, /agent got back +record: SSN 123-45-6789/);
  assert.match(plain, /✗ The audit log recorded every decision/, 'failed claims are listed');
  assert.match(plain, /claim\(s\) failed/);
  assert.ok(renderText(e, judgeClaims(e), { color: true }).includes(ESC));
});

test('neither report ever prints the real secret, only its fingerprint', () => {
  const e = evidence();
  for (const out of [renderText(e, judgeClaims(e), { color: false }), renderJson(e, judgeClaims(e))]) {
    assert.ok(!out.includes(KEY));
    assert.match(out, /sk-demo-…99/);
  }
  const json = JSON.parse(renderJson(e, judgeClaims(e))) as { ok: boolean; claims: unknown[] };
  assert.equal(json.ok, false);
  assert.equal(json.claims.length, 7);
});

test('without root the demo refuses with the reason and how to run it, and builds nothing', async () => {
  const stateRoot = join(mkdtempSync(join(tmpdir(), 'declaw-demo-')), 'state');
  await assert.rejects(runDemo({ privileged: false, stateRoot }), (err: unknown) => {
    assert.ok(err instanceof PreflightFailedError);
    assert.match(err.message, /needs root/);
    assert.match(err.message, /sudo npx declaw demo/);
    return true;
  });
  assert.equal(existsSync(stateRoot), false, 'no state directory was made');
});

test('a failed run shows the agent error output, and a non-JSON upstream body is shown as it arrived', () => {
  const e = evidence();
  e.agent.exitCode = 1;
  e.agent.stderr =
    'Traceback (most recent call last):\nConnectionRefusedError: [Errno 111] Connection refused\n';
  e.upstream[0]!.body = 'not json';
  const out = renderText(e, judgeClaims(e), { color: false });
  assert.match(out, /the agent exited with 1/);
  assert.match(out, /ConnectionRefusedError/);
  assert.match(out, /upstream got +not json/);
});
