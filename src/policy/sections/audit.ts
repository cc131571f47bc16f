import { z } from 'zod';
import { field, strictSection } from './common.js';

/** Days audit entries are kept unless a policy says otherwise (seed 000: 7 days). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 7;

const auditObject = strictSection({
  /** Record network and content decisions. Default true; lifecycle events are recorded regardless. */
  enabled: z.boolean().default(true),
  retention_days: z
    .number()
    .int({ error: `${field('retention_days')} must be a whole number of days` })
    .min(1, { error: `${field('retention_days')} must be at least 1` })
    .max(3650, { error: `${field('retention_days')} must be at most 3650 (ten years)` })
    .default(DEFAULT_AUDIT_RETENTION_DAYS),
});

/** AuditConfig of seed 000, or its shorthand `true`/`false`. */
export const auditSchema = z
  .union([z.boolean(), auditObject], {
    error: `expected true, false or an object with enabled, ${field('retention_days')}`,
  })
  .transform((v) => (typeof v === 'boolean' ? auditObject.parse({ enabled: v }) : v));
