import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { redactBody } from '../../../../src/content/pii/redact-body.js';
import { rehydrateText } from '../../../../src/content/pii/rehydrate.js';
import { createRehydrator } from '../../../../src/content/pii/rehydrator-stream.js';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { PiiSession } from '../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../src/policy/pii-types.js';
import { certainPiiValue, cutsOf, piiNumber, splitAt, textWithPii } from './helpers/pii-arbitraries.js';
import { accumulated, sse } from './sse/helpers.js';

const scanner = createPiiScanner();
const types = new Set<PiiType>(['ssn', 'credit_card', 'email', 'phone_number', 'ip_address', 'api_key']);
const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) };

function redact(body: string, contentType: string, session: PiiSession): string {
  return redactBody(Buffer.from(body), contentType, {
    scanner,
    types,
    action: 'redact',
    session,
  }).body.toString();
}

function stream(session: PiiSession, contentType: string, pieces: Buffer[]): string {
  const r = createRehydrator({ session, contentType });
  return Buffer.concat([...pieces.map((p) => r.push(p)), r.end()]).toString();
}

test('property: redacting then rehydrating a text gives the original back', () => {
  fc.assert(
    fc.property(textWithPii, (text) => {
      const session = new PiiSession();
      assert.equal(rehydrateText(redact(text, 'text/plain', session), session, 'text'), text);
    }),
    RUNS,
  );
});

test('property: cards, SSNs and e-mails do not survive redaction', () => {
  fc.assert(
    fc.property(
      fc.array(certainPiiValue, { minLength: 1, maxLength: 5 }),
      fc.stringMatching(/^[a-z ]{0,10}$/),
      (values, filler) => {
        const text = values.map((v) => `${filler} ${v} `).join('');
        const out = redact(text, 'text/plain', new PiiSession());
        for (const v of values) assert.equal(out.includes(v), false, `${v} leaked in ${out}`);
      },
    ),
    RUNS,
  );
});

test('property: a JSON body round-trips through redaction and rehydration, byte for byte for its strings', () => {
  const doc = fc.dictionary(
    fc.string({ maxLength: 8 }),
    fc.oneof(textWithPii, fc.array(textWithPii, { maxLength: 3 }), fc.integer(), piiNumber),
    { maxKeys: 5 },
  );
  fc.assert(
    fc.property(doc, (value) => {
      const json = JSON.stringify(value);
      const session = new PiiSession();
      const redacted = redact(json, 'application/json', session);
      assert.equal(typeof JSON.parse(redacted), 'object', 'the redacted body is still a JSON object');
      const back = rehydrateText(redacted, session, 'json');
      // A number that held PII comes back as a string with the same digits (documented); all else is exact.
      const numbersAsText = (s: string) => s.replace(/"(-?\d+)"/g, '$1');
      assert.equal(numbersAsText(back), numbersAsText(json));
    }),
    RUNS,
  );
});

test('property: streaming rehydration across random chunk splits equals the original', () => {
  fc.assert(
    fc.property(
      textWithPii.chain((text) => fc.tuple(fc.constant(text), cutsOf(Buffer.byteLength(text)))),
      ([text, cuts]) => {
        const session = new PiiSession();
        const redacted = Buffer.from(redact(text, 'text/plain', session));
        const bounded = cuts.map((c) => Math.min(c, redacted.length));
        assert.equal(stream(session, 'text/plain', splitAt(redacted, bounded)), text);
      },
    ),
    RUNS,
  );
});

type Api = 'chat' | 'anthropic' | 'responses';

function sseStream(api: Api, deltas: string[]): string {
  const ev = (d: string, i: number): string => {
    if (api === 'chat') {
      return sse({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { content: d }, finish_reason: null }],
      });
    }
    if (api === 'anthropic') {
      return sse(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: d } },
        'content_block_delta',
      );
    }
    return sse(
      {
        type: 'response.output_text.delta',
        item_id: 'm1',
        output_index: 0,
        content_index: 0,
        delta: d,
        sequence_number: i,
      },
      'response.output_text.delta',
    );
  };
  const end =
    api === 'chat'
      ? sse({
          id: 'c',
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        }) + sse('[DONE]')
      : api === 'anthropic'
        ? sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
          sse({ type: 'message_stop' }, 'message_stop')
        : sse({ type: 'response.completed', response: {} }, 'response.completed');
  return deltas.map(ev).join('') + end;
}

const ACCUMULATOR_KEY: Record<Api, string> = {
  chat: 'chat/0',
  anthropic: 'anthropic/0',
  responses: 'responses/m1',
};

test('property: SSE text deltas cut at random places, and the bytes chunked at random, rehydrate to the original', () => {
  fc.assert(
    fc.property(
      textWithPii,
      fc.constantFrom<Api>('chat', 'anthropic', 'responses'),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (text, api, deltaCuts, byteCuts) => {
        const session = new PiiSession();
        const redacted = redact(text, 'text/plain', session);
        const dc = deltaCuts.map((c) => c % (redacted.length + 1)).sort((a, b) => a - b);
        const bytes = Buffer.from(sseStream(api, splitAt(redacted, dc)));
        const bc = byteCuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        const out = stream(session, 'text/event-stream', splitAt(bytes, bc));
        assert.equal(accumulated(out)[ACCUMULATOR_KEY[api]] ?? '', text);
      },
    ),
    RUNS,
  );
});
