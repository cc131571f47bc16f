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
