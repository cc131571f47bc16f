import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNerRecognizer } from '../../../../src/guardrails/ner/index.js';

const ner = createNerRecognizer();

function found(text: string): Array<[string, string, string]> {
  return ner
    .analyze(text)
    .sort((a, b) => a.start - b.start)
    .map((f) => [f.type, text.slice(f.start, f.end), f.recognizer]);
}

test('a name that comes back without a cue is the same person', () => {
  assert.deepEqual(
    found('Gerth had given Gerth his address.').map(([type, value]) => [type, value]),
    [
      ['person_name', 'Gerth'],
      ['person_name', 'Gerth'],
    ],
  );
  assert.equal(found('Gerth had given Gerth his address.')[1]![2], 'ner:person:repeat');
});

test('a surname alone later in the text is the person named in full before', () => {
  const text = 'Please ask Dr. Anette Lahtela to sign.\nThe forms are with Lahtela now.';
  assert.deepEqual(found('The forms are with Lahtela now.'), []);
  assert.deepEqual(
    found(text).map(([, value, rule]) => `${value} ${rule}`),
    ['Anette Lahtela ner:person:title', 'Lahtela ner:person:repeat'],
  );
});

test('places and ordinary words keep their meaning even when part of a name found before', () => {
  const text = 'Dear Mr. Paris Rose, the Rose garden in Paris opens today.';
  const values = found(text).map(([type, value]) => `${type}:${value}`);
  assert.ok(values.includes('location:Paris'), values.join(' | '));
  assert.ok(!values.includes('person_name:Rose'), values.join(' | '));
});

test('a repeated word in a log line is not a name', () => {
  assert.deepEqual(found('Gerth had given Gerth his address.\nERROR Gerth Failed'), [
    ['person_name', 'Gerth', 'ner:person:gazetteer'],
    ['person_name', 'Gerth', 'ner:person:repeat'],
  ]);
});
