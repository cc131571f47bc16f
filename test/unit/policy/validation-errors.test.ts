import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy, PIIConfig, parsePolicyText } from '../../../src/policy/index.js';
import { PolicyInvalidError, type PolicyIssue } from '../../../src/errors.js';

function issuesOf(fn: () => unknown): readonly PolicyIssue[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PolicyInvalidError, `expected PolicyInvalidError, got ${String(err)}`);
    assert.equal(err.code, 'DECLAW_POLICY_INVALID');
    return err.issues;
  }
  assert.fail('the policy was accepted');
}

function only(issues: readonly PolicyIssue[], path: string): PolicyIssue {
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `no issue at ${path}; got ${JSON.stringify(issues)}`);
  return hit;
}

test('an unknown PII type is refused at its path with a did-you-mean', () => {
  const i = only(
    issuesOf(() => SecurityPolicy.fromJSON({ pii: { types: ['ssn', 'creditcard'] } })),
    '$.pii.types[1]',
  );
  assert.match(i.message, /unknown PII type "creditcard"/);
  assert.match(i.hint ?? '', /did you mean "credit_card"/);
});

test('a threshold of 1.5 is refused and the message says the range', () => {
  const i = only(
    issuesOf(() => SecurityPolicy.fromJSON({ injection_defense: { enabled: true, threshold: 1.5 } })),
    '$.injection_defense.threshold',
  );
  assert.match(i.message, /between 0 and 1/);
});

test('RE2-incompatible regexes (lookahead, backreference in match) are refused with the reason', () => {
  const issues = issuesOf(() =>
    SecurityPolicy.fromJSON({
      transformations: [
        { match: 'password(?=:)', replace: 'x' },
        { match: '(a)\\1', replace: 'x' },
        { match: '(?<!x)y', replace: 'x' },
      ],
    }),
  );
  assert.match(only(issues, '$.transformations[0].match').hint ?? '', /lookahead or lookbehind/);
  assert.match(only(issues, '$.transformations[1].match').hint ?? '', /no backreferences inside match/);
  assert.match(only(issues, '$.transformations[2].match').message, /RE2 cannot compile/);
});

test('a replacement that refers to a missing group is refused', () => {
  const i = only(
    issuesOf(() => SecurityPolicy.fromJSON({ transformations: [{ match: '(a)(b)', replace: '\\3' }] })),
    '$.transformations[0].replace',
  );
  assert.match(i.message, /group \\3 but match has 2 groups/);
  const named = issuesOf(() =>
    SecurityPolicy.fromJSON({ transformations: [{ match: '(?P<user>a)', replace: '\\g<usr>' }] }),
  );
  assert.match(only(named, '$.transformations[0].replace').hint ?? '', /named groups in match: user/);
});

test('malformed CIDRs and IPs are refused with the corrected form where there is one', () => {
  const issues = issuesOf(() =>
    SecurityPolicy.fromJSON({
      network: { deny_out: ['10.0.0.0/33', '10.0.0.1/8', '300.1.1.1', '0177.0.0.1', '2001:db8::/129'] },
    }),
  );
  assert.match(only(issues, '$.network.deny_out[0]').message, /invalid prefix length/);
  assert.match(only(issues, '$.network.deny_out[1]').hint ?? '', /did you mean 10\.0\.0\.0\/8/);
  assert.match(only(issues, '$.network.deny_out[2]').message, /not a valid IPv4 address/);
  assert.match(only(issues, '$.network.deny_out[3]').hint ?? '', /write it as 127\.0\.0\.1/);
  assert.match(only(issues, '$.network.deny_out[4]').message, /invalid prefix length/);
});

test('over-broad wildcards are refused: *.com, *.co.uk, *, and wildcards inside labels', () => {
  const issues = issuesOf(() =>
    SecurityPolicy.fromJSON({
      network: { allow_out: ['*.com', '*.co.uk', '*', 'api*.openai.com', '*.openai.com'] },
    }),
  );
  assert.match(only(issues, '$.network.allow_out[0]').message, /over-broad/);
  assert.match(only(issues, '$.network.allow_out[1]').message, /over-broad/);
  assert.match(only(issues, '$.network.allow_out[2]').hint ?? '', /ALL_TRAFFIC/);
  assert.match(only(issues, '$.network.allow_out[3]').message, /inside a label/);
  assert.equal(issues.length, 4);
});

test('unknown fields are refused with the closest known field, in the face the user wrote', () => {
  const wire = only(
    issuesOf(() => SecurityPolicy.fromJSON({ pii: { rehydrate_responce: true } })),
    '$.pii',
  );
  assert.match(wire.message, /unknown field "rehydrate_responce" \(did you mean "rehydrate_response"\?\)/);
  const ts = only(
    issuesOf(() => SecurityPolicy.from({ pii: { rehydrateResponce: true } } as never)),
    '$.pii',
  );
  assert.match(ts.message, /unknown field "rehydrateResponce" \(did you mean "rehydrateResponse"\?\)/);
  const top = only(
    issuesOf(() => SecurityPolicy.fromJSON({ injection: true })),
    '$',
  );
  assert.match(top.message, /did you mean "injection_defense"/);
});

test('every problem is reported at once, not only the first', () => {
  const issues = issuesOf(() =>
    SecurityPolicy.fromJSON({
      pii: { types: ['x'], action: 'redcat' },
      audit: { retention_days: 0 },
      network: { deny_out: ['bad host!'] },
    }),
  );
  assert.deepEqual(issues.map((i) => i.path).sort(), [
    '$.audit.retention_days',
    '$.network.deny_out[0]',
    '$.pii.action',
    '$.pii.types[0]',
  ]);
  assert.match(only(issues, '$.pii.action').message, /did you mean "redact"/);
});

test('a shorthand section with a wrong type says what shapes are accepted', () => {
  const i = only(
    issuesOf(() => SecurityPolicy.fromJSON({ audit: 'yes' })),
    '$.audit',
  );
  assert.match(i.message, /true, false or an object/);
  const inner = only(
    issuesOf(() => SecurityPolicy.fromJSON({ injection_defense: { enabled: 'yes' } })),
    '$.injection_defense.enabled',
  );
  assert.match(inner.message, /expected boolean, got string "yes"/);
});

test('hosted-only features are refused when enabled and accepted when disabled', () => {
  const i = only(
    issuesOf(() => SecurityPolicy.fromJSON({ toxicity: { enabled: true, threshold: 0.5 } })),
    '$.toxicity',
  );
  assert.match(i.message, /hosted Declaw product/);
  assert.doesNotThrow(() =>
    SecurityPolicy.fromJSON({ toxicity: { enabled: false, threshold: 0.5, action: 'block' } }),
  );
  only(
    issuesOf(() =>
      SecurityPolicy.fromJSON({ injection_defense: { enabled: true, judge: { enabled: true } } }),
    ),
    '$.injection_defense.judge',
  );
});

test('secure env vars need a value source and the hosts they may go to', () => {
  const issues = issuesOf(() =>
    SecurityPolicy.fromJSON({ env_security: { secure_env_vars: [{ key: '1BAD', domains: [] }] } }),
  );
  assert.ok(issues.some((i) => i.path === '$.env_security.secure_env_vars[0].key'));
  assert.ok(issues.some((i) => i.path === '$.env_security.secure_env_vars[0].domains'));
  assert.ok(issues.some((i) => /exactly one of value and value_from_env/.test(i.message)));
});

test('seed-style constructors validate their own section and name it', () => {
  assert.throws(
    () => PIIConfig({ types: ['nope'] } as never),
    (err: unknown) => {
      assert.ok(err instanceof PolicyInvalidError);
      assert.match(err.message, /in PIIConfig\(\.\.\.\)/);
      assert.equal(err.issues[0]?.path, '$.types[0]');
      return true;
    },
  );
});

test('policy text that is not YAML or JSON reports the line', () => {
  const i = only(
    issuesOf(() => parsePolicyText('pii:\n  enabled: [true\n', 'p.yaml')),
    '$',
  );
  assert.match(i.message, /p\.yaml:\d+:\d+: not valid YAML or JSON/);
  assert.throws(() => SecurityPolicy.fromJSON('{"pii": '), PolicyInvalidError);
});

test('duplicate keys in a policy file are refused rather than silently overridden', () => {
  issuesOf(() => parsePolicyText('pii:\n  enabled: true\npii:\n  enabled: false\n'));
});
