import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { PiiSession } from '../../../../src/content/pii/session.js';
import { redactBody } from '../../../../src/content/pii/redact-body.js';
import {
  redactBodyWithNer,
  type NerAnalyzer,
  type NerEntity,
} from '../../../../src/content/pii/ner-scanner.js';
import type { PiiType } from '../../../../src/policy/pii-types.js';

const scanner = createPiiScanner();

/** An in-process stand-in for the service: finds the given names wherever they occur. */
function namesAnalyzer(names: string[], calls: string[][] = []): NerAnalyzer {
  return {
    analyze(texts) {
      calls.push([...texts]);
      const value = texts.map((t) => {
        const out: NerEntity[] = [];
        for (const n of names) {
          for (let at = t.indexOf(n); at >= 0; at = t.indexOf(n, at + 1)) {
            out.push({ type: 'person_name', start: at, end: at + n.length, score: 0.9, recognizer: 'test' });
          }
        }
        return out;
      });
      return Promise.resolve({ ok: true as const, value, recovered: false });
    },
  };
}

const failing: NerAnalyzer = { analyze: () => Promise.resolve({ ok: false as const, reason: 'timeout' }) };

function options(
  types: PiiType[],
  ner: NerAnalyzer,
  session = new PiiSession({ secret: Buffer.alloc(32, 7) }),
) {
  return {
    scanner,
    types: new Set(types),
    action: 'redact' as const,
    session,
    ner,
    nerTypes: types.filter((t) => t === 'person_name'),
  };
}

test('a JSON body gets names from the service and structured PII from the built-in scanner, in one call', async () => {
  const calls: string[][] = [];
  const body = Buffer.from(
    JSON.stringify({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'John Smith, SSN 123-45-6789, 42' }],
    }),
  );
  const { result, fallback } = await redactBodyWithNer(
    body,
    'application/json',
    options(['person_name', 'ssn'], namesAnalyzer(['John Smith'], calls)),
  );
  const out = JSON.parse(result.body.toString()) as { messages: Array<{ content: string }> };
  assert.match(out.messages[0]!.content, /^\[PERSON_NAME_[0-9a-f]{6}\], SSN \[SSN_[0-9a-f]{6}\], 42$/);
  assert.equal(fallback, undefined);
  assert.equal(calls.length, 1, 'one service call for the whole body');
  assert.deepEqual(result.findings, [
    { type: 'person_name', count: 1 },
    { type: 'ssn', count: 1 },
  ]);
});

test('form fields and multipart text parts are redacted too', async () => {
  const form = await redactBodyWithNer(
    Buffer.from('name=John+Smith&note=hi'),
    'application/x-www-form-urlencoded',
    options(['person_name'], namesAnalyzer(['John Smith'])),
  );
  assert.match(form.result.body.toString(), /^name=%5BPERSON_NAME_[0-9a-f]{6}%5D&note=hi$/);
  const mp = Buffer.from(
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nDear John Smith\r\n--b--\r\n',
  );
  const multi = await redactBodyWithNer(
    mp,
    'multipart/form-data; boundary=b',
    options(['person_name'], namesAnalyzer(['John Smith'])),
  );
  assert.match(multi.result.body.toString(), /Dear \[PERSON_NAME_[0-9a-f]{6}\]/);
});

test('where an entity overlaps a built-in finding, the built-in one keeps the span', async () => {
  // The "name" the model reports runs into an e-mail address; the validated e-mail wins.
  const body = Buffer.from('write to ann.lee@example.com now');
  const { result } = await redactBodyWithNer(
    body,
    'text/plain',
    options(['person_name', 'email'], namesAnalyzer(['ann.lee'])),
  );
  assert.match(result.body.toString(), /^write to \[EMAIL_[0-9a-f]{6}\] now$/);
  assert.deepEqual(result.findings, [{ type: 'email', count: 1 }]);
});

test('when the service falls back, the body comes out exactly as the built-in scanner alone makes it', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(fc.string(), fc.constantFrom('John Smith', 'ssn 123-45-6789', 'a@b.co', '4111111111111111')),
        { maxKeys: 6 },
      ),
      async (obj) => {
        const body = Buffer.from(JSON.stringify(obj));
        const types: PiiType[] = ['person_name', 'ssn', 'email', 'credit_card'];
        const secret = Buffer.alloc(32, 1);
        const withNer = await redactBodyWithNer(
          body,
          'application/json',
          options(types, failing, new PiiSession({ secret })),
        );
        const alone = redactBody(body, 'application/json', {
          scanner,
          types: new Set(types),
          action: 'redact',
          session: new PiiSession({ secret }),
        });
        assert.equal(withNer.fallback, withNer.textsSent > 0 ? 'timeout' : undefined);
        assert.deepEqual(withNer.result, alone);
      },
    ),
    { numRuns: 60 },
  );
});

test('texts without letters are not sent, and a body without any sends nothing', async () => {
  const calls: string[][] = [];
  const r = await redactBodyWithNer(
    Buffer.from('[1, 2, "3-4", "4111111111111111"]'),
    'application/json',
    options(['person_name', 'credit_card'], namesAnalyzer([], calls)),
  );
  assert.equal(calls.length, 0);
  assert.equal(r.textsSent, 0);
  assert.deepEqual(r.result.findings, [{ type: 'credit_card', count: 1 }]);
});

test('an entity that runs across two JSON strings is ignored instead of marking both', async () => {
  // The service sees the strings joined by a separator; a span across it is no name.
  const straddling: NerAnalyzer = {
    analyze: (texts) =>
      Promise.resolve({
        ok: true as const,
        recovered: false,
        value: texts.map((t) => {
          const i = t.indexOf('John');
          return i < 0
            ? []
            : [{ type: 'person_name' as const, start: i, end: i + 12, score: 1, recognizer: 'x' }];
        }),
      }),
  };
  const body = Buffer.from('["John", "Smith"]');
  const { result } = await redactBodyWithNer(body, 'application/json', options(['person_name'], straddling));
  assert.equal(result.body.toString(), '["John", "Smith"]');
});
