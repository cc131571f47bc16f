import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactedPath } from '../../../src/audit/events.js';
import { collectingAuditSink, teeAuditSink } from '../../../src/audit/sink.js';

test('audit paths keep query parameter names and drop their values', () => {
  assert.equal(redactedPath('/v1/search?q=john@example.com&page=2'), '/v1/search?q&page');
  assert.equal(redactedPath('/v1/x?api_key=sk-123'), '/v1/x?api_key');
  assert.equal(redactedPath('http://pypi.org/simple/?x=1#frag'), '/simple/?x');
  assert.equal(redactedPath('/plain'), '/plain');
  assert.equal(redactedPath('https://a.example'), '/');
});

test('a failing sink does not keep events from the others', () => {
  const good = collectingAuditSink();
  const errors: unknown[] = [];
  const tee = teeAuditSink(
    [
      {
        record: () => {
          throw new Error('disk full');
        },
      },
      good,
    ],
    (e) => errors.push(e),
  );
  const event = {
    type: 'tls_error',
    time: 't',
    sandboxId: 's',
    flowId: 'f',
    side: 'upstream',
    category: 'untrusted',
    message: 'm',
  } as const;
  tee.record(event);
  assert.equal(good.events.length, 1);
  assert.equal(errors.length, 1);
  assert.equal(good.ofType('tls_error').length, 1);
});

test('the collecting sink keeps only the newest events past its limit', () => {
  const sink = collectingAuditSink(2);
  for (const flowId of ['a', 'b', 'c'])
    sink.record({ type: 'secret_masked', time: 't', sandboxId: 's', flowId, keys: ['K'] });
  assert.deepEqual(
    sink.events.map((e) => e.flowId),
    ['b', 'c'],
  );
});
