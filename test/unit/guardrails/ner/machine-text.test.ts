import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createNerRecognizer } from '../../../../src/guardrails/ner/index.js';

// Presidio's most reported false positives are names "found" in machine-generated text. None of
// these may yield any entity, even where the text contains real given names and surnames.
const ner = createNerRecognizer();

function entities(text: string): string[] {
  return ner.analyze(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
}

const MACHINE_TEXT: Record<string, string[]> = {
  numbers: ['4111 1111 1111 1111', 'Order 12345 of 2024 cost 1,234.56 EUR', '+1-555-867-5309', '123-45-6789'],
  guids: [
    '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
    'request id {6F9619FF-8B86-D011-B42D-00C04FC964FF}',
    'trace=ab12cd34-ef56-7890-abcd-ef1234567890',
  ],
  timestamps: [
    '2024-03-01T10:22:13.123Z',
    'Mon Jan 15 09:30:00 UTC 2024',
    '15/Mar/2024:10:22:13 +0000',
    '10:22:13.456',
  ],
  logLines: [
    '2024-03-01T10:22:13.123Z ERROR [main] Connection Refused retrying in 5s',
    '[INFO] Server Started on port 8080 by Worker Pool',
    'WARN Cache Miss for key User Profile',
    'Mar 15 10:22:13 host sshd[123]: Accepted Publickey for Deploy from 10.0.0.5',
    'DEBUG Kevin Scheduler tick=42',
  ],
  hex: [
    'DEADBEEF',
    'sha256 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
    '0xCAFEBABE',
    'Aa1Bb2Cc3Dd4',
  ],
  paths: [
    '/home/John/Smith/notes.txt',
    'C:\\Users\\Maria\\Documents\\Report.docx',
    'see ./src/Anna/Karenina.ts and ~/Projects/Paris/index.js',
    'https://example.com/users/John/Smith',
  ],
  identifiers: [
    'const JohnSmith = getUserName(MaryJones);',
    'john_smith = Mary_Jones + 1',
    'class PaymentService extends BaseService implements JohnHandler {}',
    'user.firstName = data.lastName; Kevin.Smith.run()',
    'SELECT * FROM Users WHERE name = ?',
  ],
};

for (const [kind, samples] of Object.entries(MACHINE_TEXT)) {
  test(`no entity is found in ${kind}`, () => {
    for (const text of samples) assert.deepEqual(entities(text), [], text);
  });
}

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex = (n: number) => fc.string({ unit: hexChar, minLength: n, maxLength: n });
const nameLike = fc.constantFrom(
  'John',
  'Smith',
  'Anna',
  'Maria',
  'Kevin',
  'Paris',
  'Lahtela',
  'Google',
  'Mark',
);

const machineArb = fc.oneof(
  fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-')),
  hex(16).map((h) => `0x${h}`),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(nameLike, { minLength: 1, maxLength: 4 }).map((p) => `/var/lib/${p.join('/')}/file.log`),
  fc.tuple(nameLike, nameLike).map(([a, b]) => `${a.toLowerCase()}_${b.toLowerCase()}`),
  fc.tuple(nameLike, nameLike, fc.nat(999)).map(([a, b, n]) => `${a}${b}${n}`),
  fc.tuple(nameLike, nameLike).map(([a, b]) => `get${a}${b}()`),
  fc.integer({ min: 0, max: 2 ** 31 }).map(String),
);

test('machine-generated tokens with names inside never yield an entity (property)', () => {
  fc.assert(
    fc.property(fc.array(machineArb, { minLength: 1, maxLength: 6 }), (pieces) => {
      assert.deepEqual(entities(pieces.join(' ')), []);
    }),
    { numRuns: 300 },
  );
});

test('log lines with capitalised words yield no entity (property)', () => {
  const level = fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG', '[INFO]', '[ERROR]');
  const word = fc.constantFrom(
    'Server',
    'Started',
    'Connection',
    'Worker',
    'Cache',
    'Request',
    'Failed',
    'Retry',
  );
  fc.assert(
    fc.property(
      fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
      level,
      fc.array(word, { minLength: 1, maxLength: 5 }),
      (date, lvl, words) => {
        assert.deepEqual(entities(`${date.toISOString()} ${lvl} ${words.join(' ')}`), []);
      },
    ),
    { numRuns: 200 },
  );
});

test('findings of any input lie inside the text, do not overlap, and have no spaces at their edges (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      const found = ner.analyze(text).sort((a, b) => a.start - b.start);
      let lastEnd = 0;
      for (const f of found) {
        assert.ok(f.start >= lastEnd && f.start < f.end && f.end <= text.length);
        const value = text.slice(f.start, f.end);
        assert.equal(value, value.trim());
        assert.ok(f.score >= 0 && f.score <= 1);
        lastEnd = f.end;
      }
    }),
    { numRuns: 500 },
  );
});
