import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactJson } from '../../../../../src/content/pii/body/json.js';
import { scanSegments } from '../../../../../src/content/pii/body/segment-scan.js';
import { createPiiScanner } from '../../../../../src/content/pii/scanner.js';
import { PiiSession } from '../../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../../src/policy/pii-types.js';
import type { PiiFinding, PiiScanner } from '../../../../../src/content/pii/types.js';
import { ALL_TEST_TYPES, createTestScanner } from '../helpers/test-scanner.js';

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
  const greedy: PiiScanner = {
    supportedTypes: new Set<PiiType>(['phone_number']),
    scan(text: string): PiiFinding[] {
      // eslint-disable-next-line no-control-regex -- matching the NUL separator is the point of this scanner
      return [...text.matchAll(new RegExp('[\\d\\u0000-]{7,}', 'g'))].map((m) => ({
        type: 'phone_number' as const,
        start: m.index,
        end: m.index + m[0].length,
        detector: 'greedy',
        score: 1,
      }));
    },
  };
  const out = scanSegments(['call 555', '1234567', 'x'], greedy, new Set(['phone_number']));
  assert.deepEqual(
    out.map(({ index, findings }) => [index, findings.map((f) => [f.start, f.end])]),
    [[1, [[0, 7]]]],
  );
});

test('a generic secret under a password or api_key key is found: key and value are scanned as a pair', () => {
  const scanner = createPiiScanner();
  const types = new Set<PiiType>(['api_key']);
  const session = new PiiSession();
  const body = JSON.stringify({
    user: 'ana',
    password: 'hunter2-Zq8vX3mK9pL',
    config: { api_key: 'k7Rw2PzLq9Xv4TmB8sNe', retries: 3 },
    note: 'nothing secret here',
  });
  const out = redactJson(body, false, { scanner, types, session, tally: new Map() });
  const parsed = JSON.parse(out!) as { password: string; config: { api_key: string }; note: string };
  assert.match(parsed.password, /^\[API_KEY_[0-9a-f]+\]$/);
  assert.match(parsed.config.api_key, /^\[API_KEY_[0-9a-f]+\]$/);
  assert.deepEqual(Object.keys(parsed), ['user', 'password', 'config', 'note']);
  assert.equal(parsed.note, 'nothing secret here');
});

test('a JWT in the middle of a JSON body is found although another string follows it', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const scanner = createPiiScanner();
  const out = scanSegments(['a', 'x', 'jwt', jwt, 'b', 'y'], scanner, new Set(['api_key']), [0, 2, 4]);
  assert.deepEqual(
    out.map(({ index, findings }) => [index, findings.map((f) => [f.detector, f.start, f.end])]),
    [[3, [['api_key:jwt', 0, jwt.length]]]],
  );
});

test('paired segments keep segment-relative offsets and never report the key', () => {
  const scanner = createTestScanner();
  const out = scanSegments(['ssn', '123-45-6789', 'a@b.io', 'n'], scanner, ALL_TEST_TYPES, [0]);
  assert.deepEqual(
    out.map(({ index, findings }) => [index, findings.map((f) => [f.type, f.start, f.end])]),
    [
      [1, [['ssn', 0, 11]]],
      [2, [['email', 0, 6]]],
    ],
  );
});
