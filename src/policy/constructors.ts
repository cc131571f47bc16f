import type { z } from 'zod';
import { PolicyInvalidError } from '../errors.js';
import { camelToSnake, renameKeysDeep, snakeToCamel, type CamelizeDeep } from './case.js';
import { toPolicyIssues } from './issues.js';
import { piiSchema } from './sections/pii.js';
import { injectionSchema } from './sections/injection.js';
import { networkSchema } from './sections/network.js';
import { transformationSchema } from './sections/transformation.js';
import { auditSchema } from './sections/audit.js';
import { envSecuritySchema, secureEnvVarSchema } from './sections/env.js';
import { invisibleTextSchema } from './sections/invisible-text.js';

/** A seed-style section constructor: callable as `PIIConfig({...})` and as `new PIIConfig({...})`. */
export interface SectionConstructor<I, O> {
  (input?: I): O;
  new (input?: I): O;
}

function section<S extends z.ZodType>(
  name: string,
  schema: S,
): SectionConstructor<CamelizeDeep<z.input<S>>, CamelizeDeep<z.output<S>>> {
  // A plain function (not a class) so it works with and without `new`: returning an object from a
  // function called with `new` yields that object.
  const build = function (input?: unknown) {
    const result = schema.safeParse(renameKeysDeep(input ?? {}, camelToSnake), { reportInput: true });
    if (!result.success)
      throw new PolicyInvalidError(toPolicyIssues(result.error.issues, snakeToCamel), `${name}(...)`);
    return renameKeysDeep(result.data, snakeToCamel);
  };
  Object.defineProperty(build, 'name', { value: name });
  return build as unknown as SectionConstructor<CamelizeDeep<z.input<S>>, CamelizeDeep<z.output<S>>>;
}

/**
 * PII redaction settings (seed 001).
 * @example new PIIConfig({ enabled: true, types: ['ssn', 'credit_card'], action: 'redact', rehydrateResponse: true })
 */
export const PIIConfig = section('PIIConfig', piiSchema);
/**
 * Prompt-injection defence settings (seed 000).
 * @example InjectionDefenseConfig({ enabled: true, action: 'block', threshold: 0.8 })
 */
export const InjectionDefenseConfig = section('InjectionDefenseConfig', injectionSchema);
/**
 * Egress rules (seed 000): allow_out beats deny_out.
 * @example NetworkPolicy({ allowOut: ['*.openai.com', 'pypi.org'], denyOut: [ALL_TRAFFIC] })
 */
export const NetworkPolicy = section('NetworkPolicy', networkSchema);
/**
 * A regex rewrite of bodies and heads (seed 002).
 * @example TransformationRule({ direction: 'outbound', match: 'api_key=\\w+', replace: 'api_key=[REDACTED]' })
 */
export const TransformationRule = section('TransformationRule', transformationSchema);
/**
 * Audit settings (seed 000).
 * @example AuditConfig({ enabled: true, retentionDays: 7 })
 */
export const AuditConfig = section('AuditConfig', auditSchema);
/**
 * Env-var masking and secure env vars (seed 000).
 * @example EnvSecurityConfig({ maskPatterns: ['*_KEY', '*_SECRET', '*_TOKEN'] })
 */
export const EnvSecurityConfig = section('EnvSecurityConfig', envSecuritySchema);
/**
 * A secret bound to the hosts it may be sent to; the sandbox only sees a placeholder.
 * @example SecureEnvVar({ key: 'OPENAI_API_KEY', valueFromEnv: 'OPENAI_API_KEY', domains: ['api.openai.com'] })
 */
export const SecureEnvVar = section('SecureEnvVar', secureEnvVarSchema);
/**
 * Invisible-character defence for responses.
 * @example InvisibleTextConfig({ enabled: true, action: 'strip' })
 */
export const InvisibleTextConfig = section('InvisibleTextConfig', invisibleTextSchema);
