import { z } from 'zod';
import { securityPolicySchema } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of policy files, derived from the zod schema, for editors
 * (`# yaml-language-server: $schema=...` or `"$schema"` in JSON). It describes the input form:
 * shorthands allowed, defaults optional. Checks that need code (RE2 compilation, CIDR host bits,
 * public-suffix wildcards) are only in `declaw policy check`.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(securityPolicySchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return {
    ...schema,
    $id: 'https://declaw.dev/schema/policy.schema.json',
    title: 'declaw SecurityPolicy',
    description: 'A declaw security policy (seeds 000-002), as in policy files and security.policy_json.',
  };
}
