import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createNerRecognizer } from '../../../../src/guardrails/ner/index.js';
import { emailNameParts } from '../../../../src/guardrails/ner/sentence-cues.js';
import { tokenize } from '../../../../src/guardrails/ner/tokens.js';

const ner = createNerRecognizer();

function people(text: string): string[] {
  return ner
    .analyze(text, new Set(['person_name']))
    .sort((a, b) => a.start - b.start)
    .map((f) => text.slice(f.start, f.end));
}

test('a name no list knows is a person as the subject of a verb at the start of a sentence', () => {
  assert.deepEqual(people('Shovda is very reliable.'), ['Shovda']);
  assert.deepEqual(people('Report filed. Irenka was late again.'), ['Irenka']);
  // The same word with no verb after it has no evidence at all.
  assert.deepEqual(people('Shovda.'), []);
});

test('ordinary words before a verb are not names, capitalised or not', () => {
  assert.deepEqual(people('Server is down again.'), []);
  assert.deepEqual(people('Everything was fine until Monday.'), []);
  assert.deepEqual(people('SHOVDA IS VERY RELIABLE'), []);
});

test('someone addressed by name before a comma and a question is a person', () => {
  assert.deepEqual(people('Warrane, can I please speak to your manager?'), ['Warrane']);
  assert.deepEqual(people('Tomorrow, can we meet?'), []);
});

test("a word the text's e-mail address spells out is the owner's name", () => {
  assert.deepEqual(people('Ouvrard approved the budget.'), []);
  assert.deepEqual(people('Ouvrard approved the budget (j.ouvrard@example.com).'), ['Ouvrard']);
  assert.deepEqual(
    [...emailNameParts(tokenize('write to tiia.mänd@example.ee or x1@y.io'))],
    ['tiia', 'mand'],
  );
});

test('a month that is also a given name starts a name when a name follows', () => {
  assert.deepEqual(people('Follow up with Jan Jílek next week.'), ['Jan Jílek']);
  assert.deepEqual(people('The report is due Jan 15.'), []);
});

test('a bare A between a given name and a surname is a middle initial', () => {
  assert.deepEqual(people('Juliusz A Kwiatkowski lives in Poland.'), ['Juliusz A Kwiatkowski']);
});

test('a speaker whose colon is glued to the quote is still a name', () => {
  assert.deepEqual(people('Koppány: "Who are you?"\nElizabeth:"I\'m Amanda\'s daughter".'), [
    'Koppány',
    'Elizabeth',
    'Amanda',
  ]);
});

test('lower-case names with a middle initial are found when one part is a known name', () => {
  assert.deepEqual(people('the codey m ross version recorded for the label'), ['codey m ross']);
  assert.deepEqual(people('name:    hyuuma t. maida'), ['hyuuma t. maida']);
  assert.deepEqual(people('please send a letter to the team'), []);
});

test('subject and address rules never fire on common English words (property)', () => {
  const common = fc.constantFrom('Server', 'Everything', 'Nothing', 'Weather', 'Today', 'Payment', 'Build');
  const verb = fc.constantFrom('is', 'was', 'has', 'will', 'can', 'did');
  fc.assert(
    fc.property(common, verb, fc.boolean(), (word, v, comma) => {
      const text = comma ? `${word}, ${v} you check it?` : `${word} ${v} broken today.`;
      assert.deepEqual(people(text), []);
    }),
  );
});
