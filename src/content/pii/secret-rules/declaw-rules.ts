import type { SecretRuleSpec } from './types.js';

/**
 * declaw's own secret rules, for key shapes the gitleaks set leaves out. gitleaks' OpenAI rule requires
 * the `T3BlbkFJ` marker and its Anthropic rules an exact length ending in `AA`; keys quoted in prompts are
 * often shortened, newer formats differ, and an agent's request body is where they leak. These rules are
 * looser and therefore demand high entropy. They run after the gitleaks rules, so a gitleaks
 * match of the same span keeps its more specific id.
 *
 * @example
 * import { DECLAW_SECRET_RULES } from './declaw-rules.js';
 * DECLAW_SECRET_RULES.map((r) => r.id); // ['anthropic-api-key-loose', 'openai-api-key-loose', ...]
 */
export const DECLAW_SECRET_RULES: readonly SecretRuleSpec[] = [
  {
    id: 'anthropic-api-key-loose',
    description: 'Anthropic API or admin key (sk-ant-…) of any length.',
    regex: '\\b(sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|$)',
    keywords: ['sk-ant-'],
    entropy: 3,
  },
  {
    id: 'openai-api-key-loose',
    description: 'OpenAI API key (sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…) without the T3BlbkFJ marker.',
    regex: '\\b(sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,200})(?:[^A-Za-z0-9_-]|$)',
    keywords: ['sk-'],
    entropy: 3.5,
    allowlists: [
      // Shapes that are not OpenAI keys but start the same way (Anthropic keys have their own rule).
      { target: 'secret', regexes: ['^sk-ant-', '^sk-[a-z]+(?:-[a-z]+)+$'], stopwords: [], condition: 'OR' },
    ],
  },
  {
    id: 'bearer-token',
    description:
      'A bearer token after an HTTP-style "Bearer" keyword, e.g. copied from an Authorization header.',
    regex: '(?i)\\bbearer\\s+([A-Za-z0-9._~+/-]{24,500}=*)(?:[^A-Za-z0-9._~+/=-]|$)',
    keywords: ['bearer'],
    entropy: 3.5,
  },
];
