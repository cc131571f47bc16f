import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNerRecognizer } from '../../../../src/guardrails/ner/index.js';

const ner = createNerRecognizer();

function found(text: string): Array<[string, string]> {
  return ner
    .analyze(text)
    .sort((a, b) => a.start - b.start)
    .map((f) => [f.type, text.slice(f.start, f.end)]);
}

test('the town after a street on the same line is a location, the street is nothing', () => {
  assert.deepEqual(found('She lives at 86036 Rua do Arenque 1634, Goiânia'), [['location', 'Goiânia']]);
});

test('a lone line under a street line in an address block is a town', () => {
  assert.deepEqual(found('Ship to:\n1593 Pagari 18 Suite 932\nPõlluküla\n93318'), [
    ['location', 'Põlluküla'],
  ]);
});

test('a lone line under a name in a signature is the company', () => {
  assert.deepEqual(found('Matthew Abramov\nEnigmaio\n727 Gesterbyntie 68'), [
    ['person_name', 'Matthew Abramov'],
    ['organization', 'Enigmaio'],
  ]);
});

test('three surnames in a list are one firm; three given names are three people', () => {
  assert.deepEqual(found('The address of Glover, Ruiz and Armstrong is unknown'), [
    ['organization', 'Glover, Ruiz and Armstrong'],
  ]);
  assert.deepEqual(found('I met Kevin, Alma and Scott yesterday'), [
    ['person_name', 'Kevin'],
    ['person_name', 'Alma'],
    ['person_name', 'Scott'],
  ]);
});
