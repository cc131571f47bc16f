import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  abaRoutingValid,
  createBankAccountRecognizer,
  createPatternRecognizers,
  createPassportRecognizer,
  mrzCheckDigit,
} from '../../../../src/guardrails/recognizers/index.js';

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((a) => a.join(''));

/** A routing number with a Federal Reserve prefix and its check digit computed. */
const routingNumber = fc
  .tuple(fc.constantFrom('01', '02', '11', '12', '21', '26', '31', '32', '61', '67', '72', '80'), digits(6))
  .map(([prefix, body]) => {
    const eight = prefix + body;
    const d = (i: number) => eight.charCodeAt(i) - 48;
    const partial = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5));
    return eight + String((10 - (partial % 10)) % 10);
  });

test('every valid routing number labelled "routing number" is found as bank_account', () => {
  const r = createBankAccountRecognizer();
  fc.assert(
    fc.property(routingNumber, (n) => {
      assert.ok(abaRoutingValid(n));
      const f = r.analyze(`Routing number: ${n}`);
      assert.deepEqual(
        f.map((x) => [x.start, x.end, x.recognizer]),
        [[16, 25, 'bank_account:aba:routing']],
      );
    }),
  );
});

test('changing any one digit of a routing number makes the checksum reject it', () => {
  const r = createBankAccountRecognizer();
  fc.assert(
    fc.property(routingNumber, fc.nat(8), fc.integer({ min: 1, max: 9 }), (n, at, shift) => {
      const changed = n.slice(0, at) + String((Number(n[at]) + shift) % 10) + n.slice(at + 1);
      assert.equal(abaRoutingValid(changed), false);
      assert.deepEqual(r.analyze(`routing ${changed}`), []);
    }),
  );
});

const mrzChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<'.split(''));
const mrzField = (n: number) => fc.array(mrzChar, { minLength: n, maxLength: n }).map((a) => a.join(''));
const date = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => [y, m, d].map((v) => String(v).padStart(2, '0')).join(''));
const check = (s: string) => String(mrzCheckDigit(s));

/** Line 2 of a passport MRZ with all five check digits computed. */
const mrzLine2 = fc
  .tuple(
    mrzField(9),
    fc.constantFrom('UTO', 'USA', 'D<<', 'FIN'),
    date,
    fc.constantFrom('M', 'F', '<'),
    date,
    mrzField(14),
  )
  .map(([doc, nation, birth, sex, expiry, personal]) => {
    const checked = `${doc}${check(doc)}`;
    const b = `${birth}${check(birth)}`;
    const e = `${expiry}${check(expiry)}`;
    const p = `${personal}${check(personal)}`;
    return `${checked}${nation}${b}${sex}${e}${p}${check(checked + b + e + p)}`;
  });

test('an MRZ line 2 with correct check digits is always found, whole', () => {
  const r = createPassportRecognizer();
  fc.assert(
    fc.property(mrzLine2, (line) => {
      assert.equal(line.length, 44);
      const f = r.analyze(`MRZ:\n${line}\n`);
      assert.deepEqual(
        f.map((x) => [x.start, x.end, x.recognizer]),
        [[5, 49, 'passport:mrz']],
      );
    }),
  );
});

test('changing any one digit of an MRZ line 2 makes a check digit reject it', () => {
  const r = createPassportRecognizer();
  fc.assert(
    fc.property(mrzLine2, fc.nat(43), fc.integer({ min: 1, max: 9 }), (line, at, shift) => {
      const c = line[at] as string;
      fc.pre(c >= '0' && c <= '9');
      const changed = line.slice(0, at) + String((Number(c) + shift) % 10) + line.slice(at + 1);
      assert.deepEqual(r.analyze(changed), []);
    }),
  );
});

const neutralWord = fc.constantFrom(
  'the',
  'order',
  'shipped',
  'on',
  'invoice',
  'total',
  'call',
  'me',
  'at',
  'ref',
  'meeting',
  'room',
  'version',
  'build',
  'number',
  'is',
  'and',
  'for',
  'customer',
  'ticket',
  'code',
  'Order',
  'ID',
  'No.',
  '#',
  ':',
);
const numberLike = fc.oneof(
  fc.integer({ min: 5, max: 17 }).chain((n) => digits(n)),
  fc.tuple(fc.constantFrom('A', 'D', 'S', 'E'), digits(8)).map(([l, d]) => l + d),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc
    .tuple(
      fc.integer({ min: 1990, max: 2030 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
);

test('text without a label word yields no passport, licence, medical record or bank account', () => {
  const recognizers = createPatternRecognizers();
  fc.assert(
    fc.property(fc.array(fc.oneof(neutralWord, numberLike), { minLength: 1, maxLength: 12 }), (parts) => {
      const text = parts.join(' ');
      for (const r of recognizers) assert.deepEqual(r.analyze(text), [], `${r.name} in ${text}`);
    }),
  );
});
