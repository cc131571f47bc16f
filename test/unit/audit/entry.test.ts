import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAuditEntry } from '@declaw/sdk';
import { toAuditRow } from '../../../src/audit/entry.js';
import type { StoredEvent } from '../../../src/audit/runtime-events.js';
import { everyKind, exchangeEvents, T0, at } from './fixtures.js';

test('every event kind becomes a row with its category, destination and decision', () => {
  const rows = everyKind().map(toAuditRow);
  const byType = new Map(rows.map((r) => [r.type, r]));
  assert.equal(byType.get('vm_created')?.category, 'lifecycle');
  assert.equal(byType.get('vm_killed')?.reason, 'killed');
  const dns = byType.get('dns_query');
  assert.equal(dns?.category, 'network');
  assert.equal(dns?.host, 'api.openai.com');
  assert.equal(dns?.rule, '*.openai.com');
  const blocked = byType.get('egress_blocked');
  assert.equal(blocked?.status_code, 403);
  assert.equal(blocked?.url, 'https://evil.example/');
  assert.equal(blocked?.rule, '0.0.0.0/0');
  assert.equal(blocked?.reason, 'deny_rule');
  const pii = byType.get('pii');
  assert.equal(pii?.category, 'content');
  assert.equal(pii?.pii_redactions, 3);
  assert.equal(pii?.method, 'POST');
  assert.equal(pii?.url, 'https://api.openai.com/v1/chat/completions');
  assert.deepEqual(pii?.details.types, [
    { type: 'ssn', count: 1 },
    { type: 'email', count: 2 },
  ]);
  assert.equal(byType.get('injection_detected')?.injection_blocks, 1);
  assert.equal(byType.get('injection_detected')?.direction, 'inbound');
  assert.equal(byType.get('transform_applied')?.transformations_applied, 3);
  assert.equal(byType.get('tls_error')?.status_code, 502);
  assert.deepEqual(byType.get('secret_injected')?.details.keys, ['OPENAI_API_KEY']);
});

test('the hosted SDK parses a stored entry into its AuditEntry fields', () => {
  const row = toAuditRow(everyKind()[3] as StoredEvent);
  const parsed = parseAuditEntry(JSON.parse(JSON.stringify({ id: 1, ...row })) as Record<string, unknown>);
  assert.equal(parsed.timestamp.getTime(), T0 + 3000);
  assert.equal(parsed.method, 'POST');
  assert.equal(parsed.url, 'https://api.openai.com/v1/chat/completions');
  assert.equal(parsed.statusCode, 0);
  assert.equal(parsed.piiRedactions, 3);
  assert.equal(parsed.injectionBlocks, 0);
  assert.equal(parsed.transformationsApplied, 0);
  assert.equal(parsed.direction, 'outbound');
});

test('query values are removed from paths even when a producer forgot', () => {
  const row = toAuditRow({
    type: 'egress_allowed',
    time: at(T0),
    sandboxId: 'sb1',
    flowId: 'f',
    host: 'h.example',
    port: 8443,
    path: '/search?q=john@example.com&key=sk-live-123',
    reason: 'open_egress',
    mode: 'splice',
    frontDoor: 'explicit',
  });
  assert.equal(row.path, '/search?q&key');
  assert.equal(row.url, 'https://h.example:8443/search?q&key');
  assert.doesNotMatch(JSON.stringify(row), /john@example\.com|sk-live-123/);
});

test('events without a sandbox or a valid time are refused', () => {
  assert.throws(
    () => toAuditRow({ type: 'vm_killed', time: 'yesterday', sandboxId: 'sb', reason: 'killed' }),
    TypeError,
  );
  assert.throws(
    () => toAuditRow({ type: 'vm_killed', time: at(T0), sandboxId: '', reason: 'killed' }),
    TypeError,
  );
});

test('fields an event was never meant to carry (bodies, values) never reach the row', () => {
  const secret = fc.string({ minLength: 12, maxLength: 40 }).map((s) => `SECRET<${s}>`);
  fc.assert(
    fc.property(
      fc.constantFrom(...everyKind(), ...exchangeEvents()),
      secret,
      secret,
      (event, body, value) => {
        const polluted = {
          ...event,
          body,
          requestBody: body,
          value,
          piiValues: [value],
          headers: { authorization: value },
        };
        const json = JSON.stringify(toAuditRow(polluted as StoredEvent));
        return !json.includes(body) && !json.includes(value);
      },
    ),
  );
});

test('a completed request is a network row with its status, body sizes, duration and mode', () => {
  const [done, , , cut] = exchangeEvents().map(toAuditRow);
  assert.equal(done?.category, 'network');
  assert.equal(done?.status_code, 200);
  assert.equal(done?.method, 'POST');
  assert.equal(done?.url, 'https://api.openai.com/v1/chat/completions?api-key');
  assert.equal(done?.reason, undefined);
  assert.deepEqual(done?.details, {
    status: 200,
    request_bytes: 1234,
    response_bytes: 5678,
    duration_ms: 42.5,
    mode: 'intercept',
    completed: true,
    flow_id: 'f9',
  });
  assert.equal(cut?.reason, 'incomplete', 'an exchange that ended early says so');
  assert.equal(cut?.details.completed, false);
  assert.doesNotMatch(JSON.stringify(done), /sk-live-123/);
});

test('an upstream timeout is a network row: 504 when the client was answered, the stage as its reason', () => {
  const [, head, idle] = exchangeEvents().map(toAuditRow);
  assert.equal(head?.category, 'network');
  assert.equal(head?.status_code, 504);
  assert.equal(head?.reason, 'response_head');
  assert.equal(head?.direction, 'outbound');
  assert.deepEqual(head?.details, {
    stage: 'response_head',
    timeout_ms: 600_000,
    answered: true,
    flow_id: 'f9',
  });
  assert.equal(idle?.status_code, 0, 'a response already under way was cut, not answered 504');
  assert.equal(idle?.reason, 'body_idle');
  assert.equal(idle?.details.timeout_ms, 300_000);
});

test('the hosted SDK reads a completed request as an entry with its status code', () => {
  const row = toAuditRow(exchangeEvents()[0] as StoredEvent);
  const parsed = parseAuditEntry(JSON.parse(JSON.stringify({ id: 7, ...row })) as Record<string, unknown>);
  assert.equal(parsed.statusCode, 200);
  assert.equal(parsed.method, 'POST');
  assert.equal(parsed.direction, 'outbound');
});
