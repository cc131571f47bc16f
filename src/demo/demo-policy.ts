/**
 * The demo sandbox's policy: seed 000's full stack narrowed to the one host the agent needs. PII is
 * redacted and rehydrated, injected responses are blocked, only api.openai.com is reachable, a
 * transformation rule rewrites an internal code name, every decision is audited, and the API key is a
 * secure env var the proxy only ever sends to api.openai.com.
 */
import { SecurityPolicy } from '../policy/security-policy.js';
import type { SecurityPolicyInputJSON } from '../policy/schema.js';

/** The host the agent may reach and the secret is bound to. */
export const LLM_HOST = 'api.openai.com';

/**
 * The policy as JSON (the form a policy file or the REST API takes).
 *
 * @example
 * demoPolicyJson('sk-demo-...').network; // { allow_out: ['api.openai.com'], deny_out: ['0.0.0.0/0'] }
 */
export function demoPolicyJson(apiKey: string): SecurityPolicyInputJSON {
  return {
    pii: {
      enabled: true,
      types: ['ssn', 'credit_card', 'email', 'phone_number'],
      action: 'redact',
      rehydrate_response: true,
    },
    injection_defense: { enabled: true, action: 'block', threshold: 0.8 },
    network: { allow_out: [LLM_HOST], deny_out: ['0.0.0.0/0'] },
    transformations: [
      { direction: 'outbound', match: '(?i)project\\s+falcon', replace: 'Project [CODENAME]' },
    ],
    audit: { enabled: true },
    env_security: {
      mask_patterns: ['*_KEY', '*_SECRET', '*_TOKEN'],
      secure_env_vars: [{ key: 'OPENAI_API_KEY', value: apiKey, domains: [LLM_HOST] }],
    },
  };
}

/**
 * The validated policy.
 *
 * @example
 * const policy = demoPolicy('sk-demo-0123');
 */
export function demoPolicy(apiKey: string): SecurityPolicy {
  return SecurityPolicy.fromJSON(demoPolicyJson(apiKey));
}
