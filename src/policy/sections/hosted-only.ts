import { z } from 'zod';
import { addIssue, field } from './common.js';

/**
 * Sections `@declaw/sdk` can send for features of the hosted product that declaw does not have.
 * Disabled, they are accepted and dropped; enabled, the policy is refused, so nobody believes they are
 * protected by something that is not there.
 */
export const HOSTED_ONLY_SECTIONS = ['toxicity', 'code_security', 'content_gate', 'custom_policy'] as const;

export function hostedOnlySection(name: (typeof HOSTED_ONLY_SECTIONS)[number]) {
  return z
    .looseObject({ enabled: z.boolean().default(false) })
    .optional()
    .superRefine((v, ctx) => {
      if (v?.enabled) {
        addIssue(
          ctx,
          `${field(name)} is a feature of the hosted Declaw product and is not part of declaw`,
          `remove ${field(name)} or set ${field(`${name}.enabled`)} to false`,
        );
      }
    });
}
