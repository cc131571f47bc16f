import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry } from '../../../src/audit/entry.js';
import { EXPECTED_AUDIT_TYPES, fingerprint, judgeClaims, type ClaimId } from '../../../src/demo/claims.js';
import { INJECTION_TEXT, POISONED_PATH } from '../../../src/demo/fake-llm.js';
import type { DemoEvidence } from '../../../src/demo/run-demo.js';

const KEY = 'sk-demo-0123456789abcdefghijkl';
const SENT =
  'Summarize this customer record for Project Falcon: John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111';
const UPSTREAM =
  'Summarize this customer record for Project [CODENAME]: John Smith, SSN [SSN_aaaaaa], email [EMAIL_bbbbbb], card [CREDIT_CARD_cccccc]';

function entry(type: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 0,
    type,
    category: 'network',
    sandbox_id: 'sbx0000000',
    timestamp: '2025-01-01T00:00:00.000Z',
    method: '',
    path: '',
    url: '',
    status_code: 0,
    direction: '',
    pii_redactions: 0,
    injection_blocks: 0,
    transformations_applied: 0,
    count: 0,
    details: {},
    ...extra,
  };
}

/** Evidence of a run in which everything worked. */
function goodRun(): DemoEvidence {
  const refusal = { error: { stage: 'injection', score: 0.98, signals: ['override.ignore_previous'] } };
  return {
    realKey: KEY,
    sandboxId: 'sbx0000000',
    agent: {
      exitCode: 0,
      stdout: '',
      stderr: '',
      steps: [
        {
          step: 'chat',
          status: 200,
          sent: SENT,
          reply: `Summary: ${SENT.replace('Falcon', '[CODENAME]')}`,
          key_is_placeholder: true,
        },
        { step: 'denied_name', reached: false, error: 'URLError: Name or service not known' },
        { step: 'denied_address', reached: false, error: 'SSLZeroReturnError: closed' },
        { step: 'injection', status: 403, body: JSON.stringify(refusal) },
      ],
    },
    upstream: [
      {
        method: 'POST',
        path: '/v1/chat/completions',
        host: 'api.openai.com',
        authorization: `Bearer ${KEY}`,
        body: JSON.stringify({ messages: [{ content: UPSTREAM }] }),
      },
      {
        method: 'GET',
        path: POISONED_PATH,
        host: 'api.openai.com',
        authorization: `Bearer ${KEY}`,
        body: '',
      },
    ],
    audit: [
      ...EXPECTED_AUDIT_TYPES.map((t) => entry(t, { host: 'api.openai.com' })),
      entry('dns_query', { host: 'pastebin.com', details: { action: 'deny' } }),
      entry('egress_blocked', { host: 'pastebin.com', reason: 'deny_rule' }),
      entry('injection_detected', {
        details: { action: 'block', score: 0.98, threshold: 0.8, signals: ['x'] },
      }),
    ],
  };
}

function failing(e: DemoEvidence): ClaimId[] {
  return judgeClaims(e)
    .filter((c) => !c.held)
    .map((c) => c.id);
}

test('a run where everything worked holds every claim', () => {
  assert.deepEqual(failing(goodRun()), []);
});

test('raw PII reaching the upstream fails only the upstream claim', () => {
  const e = goodRun();
  e.upstream[0]!.body = e.upstream[0]!.body.replace('[SSN_aaaaaa]', '123-45-6789');
  assert.deepEqual(failing(e), ['upstream_saw_no_raw_pii']);
});

test('tokens reaching the agent (no rehydration) fail the agent claim', () => {
  const e = goodRun();
  e.agent.steps[0]!.reply = `Summary: ${UPSTREAM}`;
  assert.deepEqual(failing(e), ['agent_got_originals']);
});

test('the real key in the sandbox, or missing upstream, fails the secret claim', () => {
  const inSandbox = goodRun();
  inSandbox.agent.steps[0]!.key_is_placeholder = false;
  assert.deepEqual(failing(inSandbox), ['secret_only_upstream']);
  const printed = goodRun();
  printed.agent.stdout = `key=${KEY}`;
  assert.deepEqual(failing(printed), ['secret_only_upstream']);
  const placeholderUpstream = goodRun();
  placeholderUpstream.upstream[1]!.authorization = 'Bearer declaw_secret_OPENAI_API_KEY_x';
  assert.deepEqual(failing(placeholderUpstream), ['secret_only_upstream']);
});

test('the code name reaching the upstream fails the transformation claim', () => {
  const e = goodRun();
  e.upstream[0]!.body = e.upstream[0]!.body.replace('[CODENAME]', 'Falcon');
  assert.deepEqual(failing(e), ['transformation_applied']);
});

test('reaching the denied domain, or no audit of its refusal, fails the denied-domain claim', () => {
  const reached = goodRun();
  reached.agent.steps[2] = { step: 'denied_address', reached: true, answer: 'HTTP/1.1 200 OK' };
  assert.deepEqual(failing(reached), ['denied_domain_blocked']);
  const unaudited = goodRun();
  unaudited.audit = unaudited.audit.filter(
    (a) => !(a.type === 'egress_blocked' && a.host === 'pastebin.com'),
  );
  assert.deepEqual(failing(unaudited), ['denied_domain_blocked']);
});

test('an injected response delivered to the agent fails the injection claim', () => {
  const e = goodRun();
  e.agent.steps[3] = { step: 'injection', status: 200, body: `report ${INJECTION_TEXT}` };
  assert.deepEqual(failing(e), ['injection_blocked']);
});

test('an audit log missing an event type fails the audit claim and names the type', () => {
  const e = goodRun();
  e.audit = e.audit.filter((a) => a.type !== 'vm_killed');
  const c = judgeClaims(e).find((x) => x.id === 'audit_recorded')!;
  assert.equal(c.held, false);
  assert.match(c.failure ?? '', /vm_killed/);
});

test('the secret fingerprint never contains the secret', () => {
  assert.ok(!KEY.includes(fingerprint(KEY).replace('…', '')));
  assert.equal(fingerprint('short'), '****');
});
