import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy } from '../../../src/policy/index.js';
import { ContentPipeline } from '../../../src/content/content-pipeline.js';
import { createPiiScanner } from '../../../src/content/pii/scanner.js';
import { createInjectionScorer } from '../../../src/content/injection/scorer.js';
import { PiiSession } from '../../../src/content/pii/session.js';

function pipeline(policy: Parameters<typeof SecurityPolicy.from>[0]) {
  return new ContentPipeline(SecurityPolicy.from(policy), {
    scanner: createPiiScanner(),
    injectionScorer: createInjectionScorer(),
    session: new PiiSession(),
  });
}

const seedPolicy = {
  pii: { enabled: true, types: ['ssn', 'email', 'credit_card'] as const, rehydrateResponse: true },
};

test('a response echoing the tokens of a redacted request gets the originals back, JSON-escaped', () => {
  const p = pipeline({ pii: { ...seedPolicy.pii, types: [...seedPolicy.pii.types] } });
  const request = Buffer.from('{"msg":"SSN 123-45-6789, email \\"john\\"@example.com"}');
  const out = p.outbound(request, { contentType: 'application/json' });
  const redacted = out.output.toString();
  assert.doesNotMatch(redacted, /123-45-6789/);
  const token = /\[SSN_[0-9a-f]{6}\]/.exec(redacted)?.[0] as string;
  const response = Buffer.from(JSON.stringify({ answer: `You sent ${token}` }));
  const back = p.inbound(response, { contentType: 'application/json' });
  assert.equal(JSON.parse(back.output.toString()).answer, 'You sent 123-45-6789');
  assert.deepEqual(back.findings, [{ stage: 'rehydrate', changed: true }]);
});

test('inbound rehydration keeps bytes that are not valid UTF-8 exactly as they were', () => {
  const p = pipeline({ pii: { enabled: true, types: ['ssn'], rehydrateResponse: true } });
  const token = /\[SSN_[0-9a-f]{6}\]/.exec(
    p.outbound(Buffer.from('123-45-6789')).output.toString(),
  )?.[0] as string;
  const response = Buffer.concat([Buffer.from([0xff, 0xfe, 0x20]), Buffer.from(token), Buffer.from([0xc3])]);
  const back = p.inbound(response, { contentType: 'application/octet-stream' });
  assert.deepEqual(
    back.output,
    Buffer.concat([Buffer.from([0xff, 0xfe, 0x20]), Buffer.from('123-45-6789'), Buffer.from([0xc3])]),
  );
});

test('without rehydrate_response the tokens stay in the response', () => {
  const p = pipeline({ pii: { enabled: true, types: ['ssn'] } });
  const token = /\[SSN_[0-9a-f]{6}\]/.exec(
    p.outbound(Buffer.from('123-45-6789')).output.toString(),
  )?.[0] as string;
  assert.equal(p.inbound(Buffer.from(token)).output.toString(), token);
});

test('outbound rules run before the PII scan, so a rule can pre-process what PII sees (seed 002)', () => {
  const p = pipeline({
    pii: { enabled: true, types: ['ssn'] },
    transformations: [
      { direction: 'outbound', match: '(\\d{3})\\.(\\d{2})\\.(\\d{4})', replace: '\\1-\\2-\\3' },
    ],
  });
  const out = p.outbound(Buffer.from('id 123.45.6789'), { contentType: 'text/plain' });
  assert.match(out.output.toString(), /^id \[SSN_[0-9a-f]{6}\]$/);
  assert.deepEqual(
    out.findings.map((f) => f.stage),
    ['transform', 'pii'],
  );
});

test('PII scanning is scoped to pii.domains', () => {
  const p = pipeline({ pii: { enabled: true, types: ['ssn'], domains: ['*.openai.com'] } });
  assert.match(
    p.outbound(Buffer.from('123-45-6789'), { host: 'api.openai.com' }).output.toString(),
    /\[SSN_/,
  );
  assert.equal(
    p.outbound(Buffer.from('123-45-6789'), { host: 'internal.example.org' }).output.toString(),
    '123-45-6789',
  );
});
