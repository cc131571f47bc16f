import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as sdk from '@declaw/sdk';
import { SecurityPolicy } from '../../../src/policy/index.js';
import { policyJsonSchema } from '../../../src/policy/json-schema.js';

test('the policy_json that @declaw/sdk sends is accepted and means what the SDK user asked for', () => {
  const sent = sdk.securityPolicyToJSON(
    sdk.createSecurityPolicy({
      pii: sdk.createPIIConfig({ enabled: true, types: ['ssn', 'phone'], rehydrateResponse: true }),
      injectionDefense: sdk.createInjectionDefenseConfig({
        enabled: true,
        action: 'log_only',
        threshold: 0.7,
      }),
      network: sdk.createNetworkPolicy({ allowOut: ['*.openai.com'], denyOut: [sdk.ALL_TRAFFIC] }),
      transformations: [sdk.createTransformationRule({ match: 'key=(\\w+)', replace: 'key=[X]' })],
    }),
  );
  const p = SecurityPolicy.fromJSON(JSON.stringify(sent));
  assert.deepEqual(p.json.pii.types, ['ssn', 'phone_number']);
  assert.equal(p.json.pii.rehydrate_response, true);
  assert.deepEqual(p.json.injection_defense, { enabled: true, action: 'log', threshold: 0.7, domains: [] });
  assert.deepEqual(p.json.network.deny_out, ['0.0.0.0/0']);
  assert.equal(p.json.transformations[0]?.direction, 'outbound');
  // The SDK's defaults (all types, including `address`) are accepted too.
  assert.doesNotThrow(() => SecurityPolicy.fromJSON(sdk.securityPolicyToJSON(sdk.createSecurityPolicy())));
});

test("the SDK's fullInjectionDefensePolicy is refused because it asks for hosted-only features", () => {
  assert.throws(
    () => SecurityPolicy.fromJSON(sdk.securityPolicyToJSON(sdk.fullInjectionDefensePolicy())),
    /judge.*hosted Declaw product|hosted Declaw product/s,
  );
});

test('the committed JSON Schema is generated from the current zod schema (run npm run schema)', () => {
  const committed = JSON.parse(readFileSync('schema/policy.schema.json', 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(policyJsonSchema())));
  assert.equal(committed.additionalProperties, false);
});

test('toDisplayJSON hides secret values that toJSON keeps', () => {
  const p = SecurityPolicy.from({
    envSecurity: {
      secureEnvVars: [{ key: 'OPENAI_API_KEY', value: 'sk-live-123', domains: ['api.openai.com'] }],
    },
  });
  assert.equal(p.toJSON().env_security.secure_env_vars[0]?.value, 'sk-live-123');
  assert.equal(p.toDisplayJSON().env_security.secure_env_vars[0]?.value, '****');
  assert.ok(!JSON.stringify(p.toDisplayJSON()).includes('sk-live-123'));
});
