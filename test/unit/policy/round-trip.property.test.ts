import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecurityPolicy, PII_TYPES } from '../../../src/policy/index.js';
import { PolicyInvalidError } from '../../../src/errors.js';

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const host = fc
  .tuple(label, fc.constantFrom('com', 'org', 'io', 'dev', 'co.uk'))
  .map(([l, t]) => `${l}.${t}`);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const hostPattern = fc.oneof(
  host,
  host.map((h) => `*.${h}`),
  label.map((l) => `~${l}\\.example\\.com`),
);
const networkEntry = fc.oneof(
  hostPattern,
  ipv4,
  fc.constantFrom('0.0.0.0/0', '::/0', '10.0.0.0/8', '2001:db8::/32', '::1'),
);
const withGroups = fc.constantFrom('(a)(b)', '(?P<k>key)=\\d+');
const withoutGroups = fc.constantFrom('secret=\\w+', '(?i)ignore\\s+previous', '[\\u200b]');
const rule = fc.oneof(
  fc.record({
    direction: fc.constantFrom('outbound', 'inbound', 'both'),
    match: withGroups,
    replace: fc.constantFrom('', '[X]', '\\1', 'k=\\g<1>'),
  }),
  fc.record({
    direction: fc.constantFrom('outbound', 'inbound', 'both'),
    match: withoutGroups,
    replace: fc.constantFrom('', '[X]', '$1 literal'),
  }),
);

/** Random valid policies in the wire format, with shorthands and optional sections. */
const validPolicy = fc.record(
  {
    pii: fc.record(
      {
        enabled: fc.boolean(),
        types: fc.subarray([...PII_TYPES, 'phone']),
        action: fc.constantFrom('redact', 'block', 'log_only'),
        rehydrate_response: fc.boolean(),
        domains: fc.array(hostPattern, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    injection_defense: fc.oneof(
      fc.boolean(),
      fc.record(
        {
          enabled: fc.boolean(),
          action: fc.constantFrom('block', 'log', 'log_only'),
          threshold: fc.double({ min: 0, max: 1, noNaN: true }),
          domains: fc.array(hostPattern, { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    ),
    network: fc.record(
      {
        allow_out: fc.array(networkEntry, { maxLength: 4 }),
        deny_out: fc.array(networkEntry, { maxLength: 4 }),
      },
      { requiredKeys: [] },
    ),
    transformations: fc.array(rule, { maxLength: 3 }),
    audit: fc.oneof(
      fc.boolean(),
      fc.record(
        { enabled: fc.boolean(), retention_days: fc.integer({ min: 1, max: 3650 }) },
        { requiredKeys: [] },
      ),
    ),
    env_security: fc.record(
      {
        mask_patterns: fc.array(fc.stringMatching(/^[A-Z_*]{1,12}$/), { maxLength: 3 }),
        secure_env_vars: fc.array(
          fc.record({
            key: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/),
            value: fc.string({ minLength: 1, maxLength: 20 }),
            domains: fc.array(host, { minLength: 1, maxLength: 2 }),
          }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

test('random valid policies are accepted and round-trip losslessly through both faces', () => {
  fc.assert(
    fc.property(validPolicy, (input) => {
      const p = SecurityPolicy.fromJSON(input);
      const again = SecurityPolicy.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
      assert.deepEqual(again.toJSON(), p.toJSON());
      const viaTs = SecurityPolicy.from(p.toObject());
      assert.deepEqual(viaTs.toJSON(), p.toJSON());
      assert.deepEqual(SecurityPolicy.fromJSON(JSON.stringify(input)).toJSON(), p.toJSON());
    }),
    { numRuns: 300 },
  );
});

test('random junk never produces anything but a policy error or a valid policy', () => {
  const check = (input: unknown) => {
    try {
      SecurityPolicy.fromJSON(input);
    } catch (err) {
      assert.ok(err instanceof PolicyInvalidError, `unexpected ${String(err)}`);
      assert.ok(err.issues.length > 0);
      for (const i of err.issues) assert.match(i.path, /^\$/);
    }
  };
  fc.assert(fc.property(fc.anything(), check), { numRuns: 500 });
  fc.assert(
    fc.property(fc.json(), (j) => check(j)),
    { numRuns: 300 },
  );
  // Junk shaped like a policy, to reach the inner validators.
  const sectionJunk = fc.record(
    {
      pii: fc.anything(),
      network: fc.record({ allow_out: fc.array(fc.string()), deny_out: fc.anything() }, { requiredKeys: [] }),
      transformations: fc.array(
        fc.record({ match: fc.string(), replace: fc.string(), direction: fc.string() }),
      ),
      injection_defense: fc.anything(),
    },
    { requiredKeys: [] },
  );
  fc.assert(fc.property(sectionJunk, check), { numRuns: 500 });
});
