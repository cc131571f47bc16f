import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNerRecognizer } from '../../../../src/guardrails/ner/index.js';
import type { PiiType } from '../../../../src/policy/pii-types.js';

const ner = createNerRecognizer();

function found(text: string, types?: PiiType[]): Array<[string, string]> {
  return ner
    .analyze(text, types ? new Set(types) : undefined)
    .sort((a, b) => a.start - b.start)
    .map((f) => [f.type, text.slice(f.start, f.end)]);
}

test('the recognizer reports the three NER types under one name', () => {
  assert.equal(ner.name, 'ner');
  assert.deepEqual([...ner.types], ['person_name', 'organization', 'location']);
});

test('a titled person, an organization and a city are found with the title left out', () => {
  assert.deepEqual(found('Dear Mr. Matthews, I work at Palantir Technologies in Paris.'), [
    ['person_name', 'Matthews'],
    ['organization', 'Palantir Technologies'],
    ['location', 'Paris'],
  ]);
});

test('only the requested types are reported', () => {
  assert.deepEqual(found('Dr. Anette Lahtela lives in Helsinki', ['location']), [['location', 'Helsinki']]);
  assert.deepEqual(found('Dr. Anette Lahtela lives in Helsinki', ['email']), []);
});

test('findings carry a score in [0, 1] and a recognizer id naming the rule', () => {
  for (const f of ner.analyze('My name is Sari J. Paavolainen and I live in Helsinki')) {
    assert.ok(f.score >= 0.5 && f.score <= 1, `score ${f.score}`);
    assert.match(f.recognizer, /^ner:(person|organization|location):[a-z-]+$/);
  }
});

test('context cues make a person of a name the gazetteer does not know', () => {
  assert.deepEqual(found('My name is Ludmiła'), [['person_name', 'Ludmiła']]);
  assert.deepEqual(found('Sincerely,\nZizi Kónya'), [['person_name', 'Zizi Kónya']]);
  assert.deepEqual(found('Name:    Anđa Tomić'), [['person_name', 'Anđa Tomić']]);
});

test('initials and particles stay inside the name', () => {
  assert.deepEqual(found('Directed By:    Sari J. Paavolainen'), [['person_name', 'Sari J. Paavolainen']]);
  assert.deepEqual(found('says Jan van der Berg in the interview'), [['person_name', 'Jan van der Berg']]);
});

test('lower-case names are found after a title, a cue, or as given name plus surname', () => {
  assert.deepEqual(found('my name is nina'), [['person_name', 'nina']]);
  assert.deepEqual(found('please follow up with patricia desrosiers tomorrow'), [
    ['person_name', 'patricia desrosiers'],
  ]);
  assert.deepEqual(found('please follow up with the team tomorrow'), []);
});

test('streets and house numbers are not people', () => {
  assert.deepEqual(found('Send it to 32 Kent Street, apartment 5'), []);
  assert.deepEqual(found('She lives at 5850 Jana Nerudy 894'), []);
});

test('a company word ends an organization; a preposition introduces a place', () => {
  assert.deepEqual(found('He joined Stillwater Supercomputing Inc last year'), [
    ['organization', 'Stillwater Supercomputing Inc'],
  ]);
  assert.deepEqual(found('We moved here from Kenosha'), [['location', 'Kenosha']]);
});

test('field labels with numbers are not names, dialogue speakers are', () => {
  assert.deepEqual(found('Fax: 345-899-3560'), []);
  assert.deepEqual(found('Koppány: "Who are you?"'), [['person_name', 'Koppány']]);
});

test('ordinary capitalised words, weekdays and title case headings are not names', () => {
  assert.deepEqual(found('We will meet Tuesday at noon.'), []);
  assert.deepEqual(found('Action & Adventure, Animation, Comedy, Kids & Family'), []);
  assert.deepEqual(found('Please Read The Terms And Conditions Carefully'), []);
});

test('a minScore outside [0, 1] is refused with the option named', () => {
  assert.throws(() => createNerRecognizer({ minScore: 2 }), {
    code: 'DECLAW_INVALID_ARGUMENT',
    message: /minScore/,
  });
  const strict = createNerRecognizer({ minScore: 0.9 });
  assert.deepEqual(strict.analyze('We moved here from Kenosha'), []);
});
