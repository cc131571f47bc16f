import { z } from 'zod';
import { addIssue, field, hostPatternList, strictSection } from './common.js';

/** Names masked by default: the hosted product's defaults, a superset of seed 000's example. */
export const DEFAULT_MASK_PATTERNS = [
  '*_KEY',
  '*_SECRET',
  '*_TOKEN',
  '*_PASSWORD',
  '*_CREDENTIALS',
  'API_KEY',
  'SECRET_KEY',
] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const maskPattern = z.string().regex(/^[A-Za-z0-9_*?]+$/, {
  error: 'a mask pattern is an env-var name glob using letters, digits, _, * and ?, e.g. *_KEY',
});

/**
 * A secret that never enters the sandbox: the sandbox sees a placeholder, and the proxy swaps in the
 * value only on requests to `domains`. The value is given inline or read from the daemon's own
 * environment (`value_from_env`), so policy files need not contain secrets.
 */
export const secureEnvVarSchema = strictSection({
  key: z.string().regex(ENV_NAME, { error: 'key must be an environment variable name, e.g. OPENAI_API_KEY' }),
  value: z.string().min(1, { error: 'value must not be empty' }).optional(),
  value_from_env: z
    .string()
    .regex(ENV_NAME, {
      error: `${field('value_from_env')} must name an environment variable of the declaw process`,
    })
    .optional(),
  domains: hostPatternList.refine((d) => d.length > 0, {
    error: 'list the hosts this secret may be sent to, e.g. ["api.openai.com"]',
  }),
}).superRefine((v, ctx) => {
  if ((v.value === undefined) === (v.value_from_env === undefined)) {
    addIssue(
      ctx,
      `give exactly one of ${field('value')} and ${field('value_from_env')}`,
      `${field('value')} holds the secret; ${field('value_from_env')} names a variable holding it`,
    );
  }
});

/**
 * EnvSecurityConfig of seed 000 (`env=` in the seed, `env_security` on the wire of `@declaw/sdk`).
 */
export const envSecuritySchema = strictSection({
  mask_patterns: z.array(maskPattern).default([...DEFAULT_MASK_PATTERNS]),
  /** @declaw/sdk compatibility. declaw always masks in audit, so only true is accepted. */
  auto_mask_in_audit: z
    .boolean()
    .optional()
    .refine((v) => v !== false, {
      error: `declaw always masks secrets in the audit log; remove ${field('auto_mask_in_audit')} or set it to true`,
    }),
  secure_env_vars: z.array(secureEnvVarSchema).default([]),
}).transform((e) => ({
  mask_patterns: [...new Set(e.mask_patterns.map((p) => p.toUpperCase()))],
  secure_env_vars: e.secure_env_vars,
}));
