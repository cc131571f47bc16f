import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanSegments } from '../../../../../src/content/pii/body/segment-scan.js';
import { ALL_TEST_TYPES, createGreedyScanner, createTestScanner } from '../helpers/test-scanner.js';

test('findings of one joined scan come back per segment with segment-relative offsets', () => {
  const scanner = createTestScanner();
  const out = scanSegments(
    ['no pii', 'ssn 123-45-6789', '', 'a@b.io and 987-65-4321'],
    scanner,
    ALL_TEST_TYPES,
  );
  assert.equal(scanner.calls, 1);
  assert.deepEqual(
    out.map(({ index, findings }) => [index, findings.map((f) => [f.type, f.start, f.end])]),
    [
      [1, [['ssn', 4, 15]]],
      [
        3,
        [
          ['email', 0, 6],
          ['ssn', 11, 22],
        ],
      ],
    ],
  );
});

test('a finding that runs across the separator is dropped and its segments rescanned alone', () => {
  // A greedy scanner that matches any run of digits and separators, across segment boundaries too.
  // eslint-disable-next-line no-control-regex -- matching the NUL separator is the point of this scanner
  const greedy = createGreedyScanner(/[\d\u0000-]{7,}/);
  const out = scanSegments(['call 555', '1234567', 'x'], greedy, new Set(['phone_number']));
  assert.deepEqual(
    out.map(({ index, findings }) => [index, findings.map((f) => [f.start, f.end])]),
    [[1, [[0, 7]]]],
  );
});
