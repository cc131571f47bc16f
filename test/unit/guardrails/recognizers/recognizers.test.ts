import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBankAccountRecognizer,
  createDriversLicenseRecognizer,
  createMedicalRecordRecognizer,
  createPassportRecognizer,
} from '../../../../src/guardrails/recognizers/index.js';
import type { EntityRecognizer } from '../../../../src/guardrails/types.js';

/** [matched text, score, recognizer] of each finding. */
function found(r: EntityRecognizer, text: string): [string, number, string][] {
  return r
    .analyze(text)
    .sort((a, b) => a.start - b.start)
    .map((f) => [text.slice(f.start, f.end), f.score, f.recognizer]);
}

const matched = (r: EntityRecognizer, text: string) => found(r, text).map(([m]) => m);

test('passport: US book and next-generation numbers are found next to the word passport', () => {
  const r = createPassportRecognizer();
  assert.deepEqual(matched(r, 'Passport No.: 123456789'), ['123456789']);
  assert.deepEqual(matched(r, 'my passport number is A12345678, thanks'), ['A12345678']);
  assert.deepEqual(matched(r, 'A12345678 (passport)'), ['A12345678']);
  assert.deepEqual(matched(r, 'travel document number 987654321'), ['987654321']);
});

test('passport: the score rises with the letter format and a mention of the US', () => {
  const r = createPassportRecognizer();
  const [[, book = 0]] = found(r, 'Passport number 123456789') as [[string, number, string]];
  const [[, nextGen = 0]] = found(r, 'Passport number A12345678') as [[string, number, string]];
  const [[, us = 0]] = found(r, 'US passport number A12345678') as [[string, number, string]];
  const [[, after = 0]] = found(r, '123456789 is my passport') as [[string, number, string]];
  assert.ok(book < nextGen && nextGen < us, `${book} < ${nextGen} < ${us}`);
  assert.ok(after < book, 'a label after the number is weaker evidence');
});

test('passport: nine-digit numbers without the word, or labelled as something else, are not passports', () => {
  const r = createPassportRecognizer();
  for (const text of [
    'Order 123456789 shipped today',
    'Tracking: A12345678',
    'passport expires 20300101',
    'passport issued 2019-04-12',
    'passport renewal: call 555-867-5309',
    'Passport photos cost $15. Invoice 123456789 is attached.',
    'passport 1234567890',
  ]) {
    assert.deepEqual(matched(r, text), [], text);
  }
});

const MRZ_LINE1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
const MRZ_LINE2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';

test('passport: a machine-readable zone is found by its check digits, both lines, without a label', () => {
  const r = createPassportRecognizer();
  const text = `Scan:\n${MRZ_LINE1}\n${MRZ_LINE2}\nend`;
  assert.deepEqual(found(r, text), [[`${MRZ_LINE1}\n${MRZ_LINE2}`, 0.99, 'passport:mrz']]);
  assert.deepEqual(matched(r, MRZ_LINE2), [MRZ_LINE2]);
  assert.deepEqual(matched(r, `${MRZ_LINE1}\r\n${MRZ_LINE2}`), [`${MRZ_LINE1}\r\n${MRZ_LINE2}`]);
});

test('passport: an MRZ line with one wrong check digit is not a passport', () => {
  const r = createPassportRecognizer();
  const wrongDoc = `${MRZ_LINE2.slice(0, 9)}7${MRZ_LINE2.slice(10)}`;
  const wrongComposite = `${MRZ_LINE2.slice(0, 43)}1`;
  assert.deepEqual(matched(r, wrongDoc), []);
  assert.deepEqual(matched(r, wrongComposite), []);
});

test("drivers_license: state formats next to driver's licence words are found", () => {
  const r = createDriversLicenseRecognizer();
  assert.deepEqual(matched(r, "California driver's license D1234567"), ['D1234567']);
  assert.deepEqual(matched(r, 'DL# S123-456-78-901-0 (Florida)'), ['S123-456-78-901-0']);
  assert.deepEqual(matched(r, 'Driving licence number: 12345678'), ['12345678']);
  assert.deepEqual(matched(r, 'NJ DL: A12345678901234'), ['A12345678901234']);
  assert.deepEqual(matched(r, 'WA drivers license WDLABCD456DG'), ['WDLABCD456DG']);
});

test('drivers_license: a named state that issues the format raises the score, one that does not lowers it', () => {
  const r = createDriversLicenseRecognizer();
  const score = (text: string) => found(r, text)[0]?.[1] ?? 0;
  const plain = score("driver's license D1234567");
  const fits = score("California driver's license D1234567");
  const misfit = score("Texas driver's license D1234567");
  assert.ok(fits > plain && plain > misfit, `${fits} > ${plain} > ${misfit}`);
  assert.ok(
    score('license number D1234567') < plain,
    'a bare "license number" is weaker than "driver\'s license"',
  );
});

test("drivers_license: numbers without a driver's licence label, dates and phones are not licences", () => {
  const r = createDriversLicenseRecognizer();
  for (const text of [
    'Order D1234567 ships Monday',
    'Call 555-867-5309',
    "driver's license expires 2026-05-01",
    "driver's license issued 05/01/2019",
    'DL: (555) 867-5309',
    'DL +1 555 867 5309',
    'software license key 12345678',
    'please dl 12345678 now',
  ]) {
    assert.deepEqual(matched(r, text), [], text);
  }
});

test('medical_record: MRNs next to MRN, medical record or patient ID are found, with evidence in the score', () => {
  const r = createMedicalRecordRecognizer();
  assert.deepEqual(found(r, 'MRN: 00123456'), [['00123456', 0.85, 'medical_record:mrn']]);
  assert.deepEqual(matched(r, 'Medical record number E1234567 was merged'), ['E1234567']);
  assert.deepEqual(matched(r, 'EHR ID 4567890'), ['4567890']);
  const [[, patientId = 0]] = found(r, 'Patient ID 7654321') as [[string, number, string]];
  assert.ok(patientId < 0.85, 'a patient ID label is weaker evidence than MRN');
});

test('medical_record: unlabelled numbers, dates and phones are not medical records', () => {
  const r = createMedicalRecordRecognizer();
  for (const text of [
    'invoice 00123456',
    'Order number 7654321 was shipped',
    'MRN updated on 2024-01-15',
    'patient phone 555-867-5309',
    'Patient DOB 19800101',
    'MRN 1234',
  ]) {
    assert.deepEqual(matched(r, text), [], text);
  }
});

test('bank_account: labelled account numbers and routing numbers with a valid checksum are found', () => {
  const r = createBankAccountRecognizer();
  assert.deepEqual(found(r, 'routing 021000021, checking account 4456 7890 1234'), [
    ['021000021', 0.95, 'bank_account:aba:routing'],
    ['4456 7890 1234', 0.85, 'bank_account:bank-account'],
  ]);
  assert.deepEqual(matched(r, 'Account number: 12345678901'), ['12345678901']);
  assert.deepEqual(matched(r, 'ABA 011000015'), ['011000015']);
  assert.deepEqual(matched(r, 'acct# 000123456789'), ['000123456789']);
});

test('bank_account: scores follow the label: bank account > account number > account', () => {
  const r = createBankAccountRecognizer();
  const score = (text: string) => found(r, text)[0]?.[1] ?? 0;
  const bank = score('savings account 12345678901');
  const number = score('account number 12345678901');
  const bare = score('account 12345678901');
  assert.ok(bank > number && number > bare && bare > 0, `${bank} > ${number} > ${bare}`);
});

test('bank_account: an invalid routing checksum, unlabelled numbers, dates and phones are not accounts', () => {
  const r = createBankAccountRecognizer();
  for (const text of [
    'routing 021000022',
    'Order 12345678901 has shipped',
    'account updated 2024-01-15',
    'account phone 555-867-5309',
    'account: (555) 867-5309',
    'ticket 021000021',
    'account 12-34-56',
    'account balance 123456789',
  ]) {
    assert.deepEqual(matched(r, text), [], text);
  }
});
