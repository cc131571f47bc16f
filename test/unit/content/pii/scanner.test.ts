import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { BUILT_IN_PII_TYPES, type PiiType } from '../../../../src/policy/pii-types.js';
import type { Logger } from '../../../../src/logger.js';
import type { PiiDetector, PiiFinding } from '../../../../src/content/pii/types.js';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { createPrecomputedDetector } from '../../../../src/content/pii/detectors/person-name.js';
import { DEFAULT_DATASET, evaluatePiiAccuracy, loadPresidioDataset } from '../../../../bench/pii-accuracy.js';

const ALL: ReadonlySet<PiiType> = new Set<PiiType>(BUILT_IN_PII_TYPES);
const scanner = createPiiScanner();
const typed = (text: string, types: ReadonlySet<PiiType> = ALL): Array<[PiiType, string]> =>
  scanner.scan(text, types).map((f) => [f.type, text.slice(f.start, f.end)]);

test('the built-in scanner says it cannot detect names or addresses instead of pretending', () => {
  assert.equal(scanner.supportedTypes.has('person_name'), false);
  assert.equal(scanner.supportedTypes.has('address'), false);
  for (const t of ALL) assert.equal(scanner.supportedTypes.has(t), true, t);
  assert.deepEqual(
    typed('Summarize: John Smith lives at 1 Main St', new Set<PiiType>(['person_name', 'address'])),
    [],
  );
});

test("seed 001's customer record yields its SSN and e-mail", () => {
  assert.deepEqual(
    typed('Summarize this customer record: John Smith, SSN 123-45-6789, email john@example.com'),
    [
      ['ssn', '123-45-6789'],
      ['email', 'john@example.com'],
    ],
  );
});

test('only the requested types are reported, and an empty request finds nothing', () => {
  const text = 'mail a@example.com, card 4111111111111111, ip 10.0.0.1';
  assert.deepEqual(typed(text, new Set<PiiType>(['email'])), [['email', 'a@example.com']]);
  assert.deepEqual(scanner.scan(text, new Set()), []);
  assert.deepEqual(scanner.scan('', ALL), []);
});

test('a card number is never half a phone, even when only phones are requested', () => {
  const phonesOnly = new Set<PiiType>(['phone_number']);
  for (const text of [
    'card 4111 1111 1111 1111 thanks',
    'Phone: 4111 1111 1111 1111',
    'SSN 123-45-6789',
    'call 192.168.100.200',
    'mail 2125550187@example.com',
  ]) {
    assert.deepEqual(typed(text, phonesOnly), [], text);
  }
  assert.deepEqual(typed('Phone: 4111 1111 1111 1111, or call 212-555-0187'), [
    ['credit_card', '4111 1111 1111 1111'],
    ['phone_number', '212-555-0187'],
  ]);
});

test('each span gets one type: priority first, then the longer finding', () => {
  const text = 'contact jane.doe@example.com now';
  const greedyName: PiiDetector = {
    type: 'person_name',
    detect: (t) =>
      t === text ? [{ type: 'person_name', start: 8, end: 16, detector: 'ner', score: 0.9 }] : [],
  };
  const withNames = createPiiScanner({ extraDetectors: [greedyName] });
  assert.equal(withNames.supportedTypes.has('person_name'), true);
  assert.deepEqual(
    withNames.scan(text, new Set<PiiType>(['email', 'person_name'])).map((f) => f.type),
    ['email'],
    'a built-in type beats an extra detector on the same span',
  );
  assert.deepEqual(
    withNames.scan(text, new Set<PiiType>(['person_name'])).map((f) => f.type),
    ['person_name'],
    'without e-mail requested, the name finding stands',
  );
});

test('extra detectors fill person_name, and their bad output is validated or logged, never thrown', () => {
  const text = 'Summarize: John Smith, SSN 123-45-6789';
  const names = createPrecomputedDetector(
    'person_name',
    text,
    [{ start: 11, end: 21, score: 0.9 }],
    'guardrails',
  );
  const liar: PiiDetector = {
    type: 'person_name',
    detect: (): PiiFinding[] => [
      { type: 'person_name', start: -5, end: 3, detector: 'bad', score: 1 },
      { type: 'email', start: 0, end: 3, detector: 'bad', score: 1 },
      { type: 'person_name', start: 30, end: 10_000, detector: 'bad', score: 1 },
    ],
  };
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  const broken: PiiDetector = {
    type: 'person_name',
    detect() {
      throw new Error('guardrails timed out');
    },
  };
  const s = createPiiScanner({ extraDetectors: [names, liar, broken], logger });
  const found = s.scan(text, new Set<PiiType>(['person_name', 'ssn']));
  assert.deepEqual(
    found.map((f) => [f.type, text.slice(f.start, f.end)]),
    [
      ['person_name', 'John Smith'],
      ['ssn', '123-45-6789'],
    ],
  );
  assert.equal(warnings.length, 1);
});

test('unknown phone regions are refused when the scanner is built', () => {
  assert.throws(() => createPiiScanner({ phoneRegions: ['ZZ'] }), /phoneRegions/);
  const gb = createPiiScanner({ phoneRegions: ['US', 'GB'] });
  assert.deepEqual(
    gb.scan('ring 020 7946 0958', new Set<PiiType>(['phone_number'])).map((f) => f.type),
    ['phone_number'],
  );
});

function assertWellFormed(text: string, findings: readonly PiiFinding[], types: ReadonlySet<PiiType>): void {
  let lastEnd = 0;
  for (const f of findings) {
    assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end), 'integer offsets');
    assert.ok(f.start >= lastEnd, 'sorted and non-overlapping');
    assert.ok(f.start < f.end && f.end <= text.length, 'non-empty and in range');
    assert.ok(types.has(f.type), 'of a requested type');
    assert.ok(f.score > 0 && f.score <= 1, 'score in (0, 1]');
    lastEnd = f.end;
  }
}

test('pathological inputs finish in linear time, never throw and return well-formed findings', () => {
  const inputs = [
    '7'.repeat(100_000),
    '1 '.repeat(100_000),
    '@'.repeat(1 << 20),
    randomBytes(1 << 20).toString('utf8'),
    '\uD800'.repeat(100_000),
    '123-45-6789 '.repeat(20_000),
    'phone 1234567 '.repeat(20_000),
    '-----BEGIN PRIVATE KEY-----'.repeat(10_000),
  ];
  for (const text of inputs) assertWellFormed(text, scanner.scan(text, ALL), ALL);
});

test('runs of tens of megabytes do not overflow the regex engine (a body may be 50 MiB)', () => {
  // V8's backtracking engine throws "Maximum call stack size exceeded" on unbounded repetitions over
  // runs this long; every detector regex must stay bounded.
  for (const text of ['7'.repeat(20 << 20), '1-'.repeat(10 << 20), '1.'.repeat(10 << 20)]) {
    assert.deepEqual(scanner.scan(text, ALL), []);
  }
});

const piiPiece = fc.constantFrom(
  '4111 1111 1111 1111',
  '4111111111111111',
  '123-45-6789',
  '123 45 6789',
  'SSN 123456789',
  'john@example.com',
  '+1 212 555 0187',
  '(212) 555-0187x12',
  'Phone: 0490 75 40 81',
  '192.168.0.1',
  '1.2.3.4.5',
  '2001:db8::1',
  `ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3`,
  '-----BEGIN RSA PRIVATE KEY-----',
);
const glue = fc.constantFrom(
  ' ',
  '',
  '-',
  '.',
  ':',
  '@',
  '(',
  ')',
  '+',
  '\n',
  '"',
  ',',
  '\u0000',
  '\uD800',
  'é',
  '😀',
);

test('for any string the scanner never throws and returns sorted, non-overlapping, in-range findings', () => {
  const types = fc.subarray([...ALL], { minLength: 1 }).map((t) => new Set<PiiType>(t));
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .array(
        fc.oneof(piiPiece, glue, fc.string({ maxLength: 8 }), fc.stringMatching(/^[0-9 .()+-]{1,20}$/)),
        {
          maxLength: 30,
        },
      )
      .map((parts) => parts.join('')),
  );
  fc.assert(
    fc.property(text, types, (t, ts) => {
      assertWellFormed(t, scanner.scan(t, ts), ts);
    }),
    { numRuns: 400 },
  );
});

test('accuracy on the Presidio synthetic dataset meets the goals (regression guard)', (t) => {
  if (!existsSync(DEFAULT_DATASET)) {
    t.skip(`dataset not found at ${DEFAULT_DATASET}`);
    return;
  }
  const report = evaluatePiiAccuracy(loadPresidioDataset(), createPiiScanner());
  const by = new Map(report.perType.map((s) => [s.type, s]));
  for (const type of ['ssn', 'credit_card', 'email', 'ip_address'] as const) {
    assert.ok((by.get(type)?.recall ?? 0) >= 0.99, `${type} recall ${by.get(type)?.recall}`);
  }
  assert.ok((by.get('phone_number')?.recall ?? 0) >= 0.9, 'phone recall');
  assert.ok((by.get('phone_number')?.precision ?? 0) >= 0.95, 'phone precision');
  assert.equal(report.benignWithFindings, 0, 'no benign sample gets a finding');
  assert.ok(report.benignSamples > 100);
});
