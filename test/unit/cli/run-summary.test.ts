import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredEvent } from '../../../src/audit/runtime-events.js';
import { summarizeRun } from '../../../src/cli/run-summary.js';
import { renderSummaryJson, renderSummaryText } from '../../../src/cli/run-summary-render.js';

const base = { time: '2025-01-01T00:00:00.000Z', sandboxId: 'sbx-1', flowId: 'f1' };
const allowed = (host: string): StoredEvent => ({
  ...base,
  type: 'egress_allowed',
  host,
  reason: 'allow_rule',
  mode: 'intercept',
  frontDoor: 'transparent',
});

const events: StoredEvent[] = [
  { type: 'vm_created', time: base.time, sandboxId: 'sbx-1' },
  allowed('api.openai.com'),
  allowed('api.openai.com'),
  allowed('pypi.org'),
  {
    ...base,
    type: 'egress_blocked',
    host: 'evil.example',
    reason: 'deny_rule',
    rule: '0.0.0.0/0',
    detail: 'x',
    frontDoor: 'transparent',
  },
  ...(['A', 'AAAA'] as const).map((qtype): StoredEvent => ({
    type: 'dns_query',
    time: base.time,
    sandboxId: 'sbx-1',
    name: 'Tracker.Example.',
    qtype,
    outcome: 'blocked',
    decision: { action: 'deny', rule: '0.0.0.0/0', reason: 'all_traffic_denied' },
    rcode: 'NXDOMAIN',
  })),
  {
    type: 'dns_query',
    time: base.time,
    sandboxId: 'sbx-1',
    name: 'api.openai.com',
    qtype: 'A',
    outcome: 'answered',
    decision: { action: 'allow', rule: 'api.openai.com', reason: 'allow_rule' },
    rcode: 'NOERROR',
  },
  {
    ...base,
    type: 'pii',
    host: 'api.openai.com',
    action: 'redact',
    types: [
      { type: 'email', count: 2 },
      { type: 'ssn', count: 1 },
    ],
  },
  { ...base, type: 'pii', host: 'api.openai.com', action: 'redact', types: [{ type: 'email', count: 1 }] },
  {
    ...base,
    type: 'injection_detected',
    host: 'docs.example',
    score: 0.91,
    threshold: 0.8,
    action: 'block',
    signals: ['override.ignore_previous'],
    streamed: false,
  },
  { ...base, type: 'transform_applied', direction: 'outbound', rules: [{ rule: 0, count: 3 }] },
  { ...base, type: 'secret_injected', host: 'api.openai.com', keys: ['OPENAI_API_KEY'] },
  { ...base, type: 'secret_withheld', host: 'evil.example', keys: ['OPENAI_API_KEY'] },
];

test('the summary counts allowed hosts, most used first', () => {
  const s = summarizeRun(events, { exitCode: 0, audited: true });
  assert.deepEqual(s.allowed, [
    { host: 'api.openai.com', count: 2 },
    { host: 'pypi.org', count: 1 },
  ]);
  assert.equal(s.sandbox_id, 'sbx-1');
});

test('blocked hosts carry where and why; an A and AAAA refusal of one name count once', () => {
  const s = summarizeRun(events, { exitCode: 0, audited: true });
  assert.deepEqual(s.blocked, [
    { host: 'evil.example', by: 'proxy', reason: 'deny_rule', rule: '0.0.0.0/0', count: 1 },
    { host: 'tracker.example', by: 'dns', reason: 'all_traffic_denied', rule: '0.0.0.0/0', count: 1 },
  ]);
});

test('PII redactions add up by type; injections, transforms and secrets are listed by name only', () => {
  const s = summarizeRun(events, { exitCode: 3, audited: true });
  assert.deepEqual(s.pii, [
    { type: 'email', action: 'redact', count: 3 },
    { type: 'ssn', action: 'redact', count: 1 },
  ]);
  assert.deepEqual(s.injections, [{ host: 'docs.example', action: 'block', max_score: 0.91, count: 1 }]);
  assert.deepEqual(s.transformations, [{ direction: 'outbound', rule: 0, count: 3 }]);
  assert.deepEqual(s.secrets, [
    { key: 'OPENAI_API_KEY', host: 'api.openai.com', outcome: 'injected', count: 1 },
    { key: 'OPENAI_API_KEY', host: 'evil.example', outcome: 'withheld', count: 1 },
  ]);
  assert.equal(s.exit_code, 3);
});

test('the text table names every host, reason and type, aligned, without colour codes when off', () => {
  const text = renderSummaryText(summarizeRun(events, { exitCode: 0, audited: true }), { color: false });
  assert.ok(!text.includes('\x1b['), text);
  assert.match(text, /^declaw run: exit 0, sandbox sbx-1\n/);
  assert.match(text, /allowed +api\.openai\.com +2 /);
  assert.match(text, /blocked +evil\.example +proxy deny_rule \(0\.0\.0\.0\/0\)/);
  assert.match(text, /blocked +tracker\.example +dns all_traffic_denied/);
  assert.match(text, /PII +email +redact ×3/);
  assert.match(text, /injection +docs\.example +block, score 0\.91/);
  assert.match(text, /transform +rule #0 +outbound ×3/);
  assert.match(text, /secret +OPENAI_API_KEY +injected → api\.openai\.com/);
  const lines = text.trimEnd().split('\n').slice(1);
  const column = lines.map((l) => l.search(/(?<=\S {2,})\S/));
  assert.equal(new Set(column).size, 1, `host column not aligned:\n${text}`);
});

test('with colour on, blocked hosts are red and allowed ones green', () => {
  const text = renderSummaryText(summarizeRun(events, { exitCode: 0, audited: true }), { color: true });
  assert.ok(text.includes('\x1b[31mevil.example\x1b[0m'), text);
  assert.ok(text.includes('\x1b[32mapi.openai.com\x1b[0m'), text);
});

test('a run without traffic says so, and a policy with auditing off says nothing can be shown', () => {
  const quiet = renderSummaryText(summarizeRun([], { exitCode: 0, audited: true }), { color: false });
  assert.match(quiet, /no network traffic went through declaw/);
  const off = renderSummaryText(summarizeRun([], { exitCode: 0, audited: false }), { color: false });
  assert.match(off, /turned auditing off/);
});

test('the JSON summary is one line that parses back to the same summary', () => {
  const s = summarizeRun(events, { exitCode: 0, audited: true });
  const json = renderSummaryJson(s);
  assert.equal(json.trimEnd().split('\n').length, 1);
  assert.deepEqual(JSON.parse(json), s);
});
