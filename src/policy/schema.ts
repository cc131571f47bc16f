import { z } from 'zod';
import { addIssue, field, strictSection } from './sections/common.js';
import { piiSchema } from './sections/pii.js';
import { injectionSchema } from './sections/injection.js';
import { networkSchema } from './sections/network.js';
import { transformationSchema } from './sections/transformation.js';
import { auditSchema } from './sections/audit.js';
import { envSecuritySchema } from './sections/env.js';
import { invisibleTextSchema } from './sections/invisible-text.js';
import { hostedOnlySection } from './sections/hosted-only.js';

/**
 * The SecurityPolicy wire format: snake_case JSON/YAML, as in policy files and in the
 * `security.policy_json` that `@declaw/sdk` sends. This one schema is the source of truth: the
 * TypeScript face (camelCase) and the JSON Schema file are derived from it.
 */
export const securityPolicySchema = strictSection({
  pii: piiSchema.prefault({}),
  injection_defense: injectionSchema.prefault(false),
  network: networkSchema.prefault({}),
  transformations: z.array(transformationSchema).default([]),
  audit: auditSchema.prefault(true),
  env_security: envSecuritySchema.optional(),
  /** Seed 000 spells the section `env=EnvSecurityConfig(...)`; same thing as env_security. */
  env: envSecuritySchema.optional(),
  invisible_text: invisibleTextSchema.prefault({}),
  toxicity: hostedOnlySection('toxicity'),
  code_security: hostedOnlySection('code_security'),
  content_gate: hostedOnlySection('content_gate'),
  custom_policy: hostedOnlySection('custom_policy'),
})
  .superRefine((p, ctx) => {
    if (p.env && p.env_security) {
      addIssue(
        ctx,
        `env and ${field('env_security')} are the same section and both are set`,
        `keep only ${field('env_security')}`,
        ['env'],
      );
    }
  })
  .transform((p) => ({
    pii: p.pii,
    injection_defense: p.injection_defense,
    network: p.network,
    transformations: p.transformations,
    audit: p.audit,
    env_security: p.env_security ?? p.env ?? envSecuritySchema.parse({}),
    invisible_text: p.invisible_text,
  }));

/** A policy as written (shorthands allowed, defaults optional), snake_case. */
export type SecurityPolicyInputJSON = z.input<typeof securityPolicySchema>;
/** A normalised policy, snake_case: every section present, every default filled in. */
export type SecurityPolicyJSON = z.output<typeof securityPolicySchema>;
