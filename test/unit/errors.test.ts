import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyInvalidError, ErrorCode, PiiBlockedError } from '../../src/errors.js';

test('a policy error lists every issue with its path and keeps a stable code', () => {
  const err = new PolicyInvalidError([
    { path: '$.pii.types[0]', message: 'unknown PII type "sn"', hint: 'did you mean "ssn"?' },
    { path: '$.injection_defense.threshold', message: 'must be between 0 and 1' },
  ]);
  assert.equal(err.code, ErrorCode.POLICY_INVALID);
  assert.match(err.message, /2 problems/);
  assert.match(err.message, /\$\.pii\.types\[0\]: unknown PII type "sn" \(did you mean "ssn"\?\)/);
  assert.deepEqual((err.toJSON() as { issues: unknown[] }).issues.length, 2);
});

test('a PII block names the types and never a value', () => {
  const err = new PiiBlockedError(['ssn', 'credit_card']);
  assert.match(err.message, /ssn, credit_card/);
  assert.equal(err.code, 'DECLAW_PII_BLOCKED');
});
