import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ALL_TRAFFIC,
  AuditConfig,
  EnvSecurityConfig,
  InjectionDefenseConfig,
  NetworkPolicy,
  PIIConfig,
  SecurityPolicy,
  TransformationRule,
  effectivePiiTypes,
  needsBodyInspection,
  hasDomainRules,
  parsePolicyText,
  DEFAULT_PII_TYPES,
} from '../../../src/policy/index.js';

test("seed 000's SecurityPolicy example builds with seed-style constructors, with and without new", () => {
  const policy = SecurityPolicy.from({
    pii: PIIConfig({
      enabled: true,
      types: ['ssn', 'credit_card', 'email', 'phone_number'],
      action: 'redact',
      rehydrateResponse: true,
    }),
    injectionDefense: new InjectionDefenseConfig({ enabled: true, action: 'block', threshold: 0.8 }),
    network: NetworkPolicy({ allowOut: ['*.openai.com', 'pypi.org'], denyOut: [ALL_TRAFFIC] }),
    transformations: [
      TransformationRule({
        direction: 'outbound',
        match: String.raw`Authorization:\s*Bearer\s+sk-\w+`,
        replace: 'Authorization: Bearer [REDACTED]',
      }),
    ],
    audit: AuditConfig({ enabled: true }),
    envSecurity: EnvSecurityConfig({ maskPatterns: ['*_KEY', '*_SECRET', '*_TOKEN'] }),
  });
  const json = policy.toJSON();
  assert.deepEqual(json.pii.types, ['ssn', 'credit_card', 'email', 'phone_number']);
  assert.equal(json.pii.rehydrate_response, true);
  assert.deepEqual(json.injection_defense, { enabled: true, action: 'block', threshold: 0.8, domains: [] });
  assert.deepEqual(json.network, { allow_out: ['*.openai.com', 'pypi.org'], deny_out: ['0.0.0.0/0'] });
  assert.equal(json.audit.retention_days, 7);
  assert.deepEqual(json.env_security.mask_patterns, ['*_KEY', '*_SECRET', '*_TOKEN']);
  assert.equal(needsBodyInspection(policy), true);
  assert.equal(hasDomainRules(policy), true);
});

test('the README full-stack policy file equals the TypeScript-built seed example', () => {
  const fromFile = parsePolicyText(readFileSync('examples/policy-full-stack.yaml', 'utf8'));
  const fromTs = SecurityPolicy.from({
    pii: { enabled: true, types: ['ssn', 'credit_card', 'email', 'phone_number'], rehydrateResponse: true },
    injectionDefense: { enabled: true, action: 'block', threshold: 0.8 },
    network: { allowOut: ['*.openai.com', 'pypi.org'], denyOut: [ALL_TRAFFIC] },
    transformations: [
      {
        direction: 'outbound',
        match: String.raw`Authorization:\s*Bearer\s+sk-\w+`,
        replace: 'Authorization: Bearer [REDACTED]',
      },
    ],
    audit: true,
    envSecurity: { maskPatterns: ['*_KEY', '*_SECRET', '*_TOKEN'] },
  });
  assert.deepEqual(fromFile.toJSON(), fromTs.toJSON());
});

test('shorthands of seed 000 mean the same as the long forms', () => {
  assert.deepEqual(
    SecurityPolicy.fromJSON({ injection_defense: true }).toJSON().injection_defense,
    SecurityPolicy.fromJSON({ injection_defense: { enabled: true } }).toJSON().injection_defense,
  );
  assert.deepEqual(
    SecurityPolicy.fromJSON({ audit: true }).toJSON().audit,
    SecurityPolicy.fromJSON({ audit: { enabled: true } }).toJSON().audit,
  );
  assert.equal(SecurityPolicy.fromJSON({ audit: false }).toJSON().audit.enabled, false);
  const dict = SecurityPolicy.fromJSON({ network: { allow_out: ['pypi.org'], deny_out: [ALL_TRAFFIC] } });
  const ctor = SecurityPolicy.from({
    network: NetworkPolicy({ allowOut: ['pypi.org'], denyOut: [ALL_TRAFFIC] }),
  });
  assert.deepEqual(dict.toJSON(), ctor.toJSON());
  assert.deepEqual(dict.toJSON().network, { allow_out: ['pypi.org'], deny_out: ['0.0.0.0/0'] });
});

test('defaults stated by the seeds: all seed types, redact, no rehydration, 7-day retention', () => {
  const p = SecurityPolicy.from({ pii: { enabled: true } });
  assert.deepEqual(p.json.pii.types, []);
  assert.deepEqual(
    [...effectivePiiTypes(p)],
    ['ssn', 'credit_card', 'email', 'phone_number', 'person_name', 'api_key', 'ip_address', 'address'],
  );
  assert.equal(p.json.pii.action, 'redact');
  assert.equal(p.json.pii.rehydrate_response, false);
  assert.equal(p.json.audit.retention_days, 7);
  assert.deepEqual(
    effectivePiiTypes(SecurityPolicy.from({ pii: { enabled: true, types: [] } })).size,
    DEFAULT_PII_TYPES.length,
  );
});

test('Guardrails entity types are accepted by name or Presidio alias and scanned only when named', () => {
  const p = SecurityPolicy.from({
    pii: { enabled: true, types: ['ORGANIZATION', 'us_passport', 'US_BANK_NUMBER', 'person'] },
  });
  assert.deepEqual([...effectivePiiTypes(p)], ['person_name', 'organization', 'passport', 'bank_account']);
  assert.ok(!effectivePiiTypes(SecurityPolicy.from({ pii: { enabled: true } })).has('organization'));
});

test("seed 000's composability examples: network-only needs no interception, PII-only does", () => {
  const networkOnly = SecurityPolicy.from({ network: { allowOut: ['pypi.org'], denyOut: [ALL_TRAFFIC] } });
  assert.equal(needsBodyInspection(networkOnly), false);
  assert.equal(hasDomainRules(networkOnly), true);
  const ipOnly = SecurityPolicy.from({ network: { allowOut: ['10.1.0.0/16'], denyOut: [ALL_TRAFFIC] } });
  assert.equal(hasDomainRules(ipOnly), false);
  const piiOnly = SecurityPolicy.from({ pii: { enabled: true, types: ['ssn', 'credit_card'] } });
  assert.equal(needsBodyInspection(piiOnly), true);
  assert.equal(needsBodyInspection(SecurityPolicy.from({ audit: true })), false);
  assert.equal(
    needsBodyInspection(SecurityPolicy.from({ transformations: [{ match: 'a', replace: 'b' }] })),
    true,
  );
});

test("seed 001's action examples and domain scoping are accepted", () => {
  for (const action of ['redact', 'block', 'log_only'] as const) {
    assert.equal(
      SecurityPolicy.from({ pii: { enabled: true, types: ['email'], action } }).json.pii.action,
      action,
    );
  }
  const scoped = SecurityPolicy.fromJSON({
    pii: { enabled: true, domains: ['API.OpenAI.com.', '*.anthropic.com'] },
  });
  assert.deepEqual(scoped.json.pii.domains, ['api.openai.com', '*.anthropic.com']);
});

test('every example rule of seed 002 is a valid transformation', () => {
  const rules = [
    [String.raw`Authorization:\s*Bearer\s+sk-\w+`, 'Authorization: Bearer [REDACTED]'],
    [String.raw`(Authorization:\s*Bearer\s+)[A-Za-z0-9\-._~+/]+=*`, String.raw`\1[REDACTED]`],
    [String.raw`api_key=[A-Za-z0-9]+`, 'api_key=[REDACTED]'],
    [String.raw`(?i)ignore\s+(all\s+)?previous\s+instructions[^.]*\.`, '[CONTENT_REMOVED]'],
    [String.raw`(Authorization:\s*Bearer\s+)(sk-[A-Za-z0-9]+)`, String.raw`\1[REDACTED]`],
    [String.raw`(postgres://[^:]+:)[^@]+(@)`, String.raw`\1[PASSWORD]\2`],
    [
      String.raw`(?i)(ignore|disregard|forget)\s+(all\s+)?(previous|prior)\s+(instructions?|commands?|prompts?)`,
      '[INJECTION_REMOVED]',
    ],
    [
      String.raw`(?i)(print|reveal|show|display|output)\s+(your\s+)?(system\s+prompt|instructions|context)`,
      '[INJECTION_REMOVED]',
    ],
    [String.raw`\b\d{3}-\d{2}-\d{4}\b`, '[SSN_REDACTED]'],
    [String.raw`[\u200b\u200c\u200d\u2060\ufeff\u00ad]`, ''],
    [String.raw`OPENAI_API_KEY=['\"]?[A-Za-z0-9\-]+['\"]?`, 'OPENAI_API_KEY=[REDACTED]'],
  ];
  const p = SecurityPolicy.from({
    transformations: rules.map(([match, replace]) => ({
      direction: 'both' as const,
      match: match as string,
      replace: replace as string,
    })),
  });
  assert.equal(p.json.transformations.length, rules.length);
});
