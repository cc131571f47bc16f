import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrecomputedDetector } from '../../../../../src/content/pii/detectors/person-name.js';

const text = 'Summarize this customer record: John Smith, SSN 123-45-6789';

test('spans found by an NER service are replayed as findings for exactly that text', () => {
  const names = createPrecomputedDetector(
    'person_name',
    text,
    [{ start: 32, end: 42, score: 0.93 }],
    'guardrails',
  );
  assert.deepEqual(names.detect(text), [
    { type: 'person_name', start: 32, end: 42, detector: 'person_name:guardrails', score: 0.93 },
  ]);
  assert.equal(text.slice(32, 42), 'John Smith');
});

test('a different text gets no findings, so stale NER results never mark the wrong characters', () => {
  const names = createPrecomputedDetector('person_name', text, [{ start: 32, end: 42 }], 'guardrails');
  assert.deepEqual(names.detect(`${text} `), []);
});

test('invalid spans are dropped, scores clamped and overlaps resolved to the longer span', () => {
  const names = createPrecomputedDetector(
    'person_name',
    text,
    [
      { start: -1, end: 4 },
      { start: 5, end: 5 },
      { start: 40, end: 999 },
      { start: 1.5, end: 3 },
      { start: 32, end: 36, score: 7 },
      { start: 32, end: 42, score: Number.NaN },
    ],
    'ner',
  );
  assert.deepEqual(
    names.detect(text).map((f) => [f.start, f.end, f.score]),
    [[32, 42, 1]],
  );
});
