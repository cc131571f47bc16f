import { z } from 'zod';
import { PII_TYPE_ALIASES, PII_TYPES, type PiiType } from '../pii-types.js';
import { suggestion } from '../did-you-mean.js';
import { addIssue, choice, hostPatternList, strictSection } from './common.js';

/** What to do when PII is found (seed 001 RedactionAction). */
export const REDACTION_ACTIONS = ['redact', 'block', 'log_only'] as const;

const piiTypeList = z.array(z.string({ error: 'expected a PII type name' })).transform((list, ctx) => {
  const seen = new Set<PiiType>();
  list.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const type = (PII_TYPES as readonly string[]).includes(name) ? (name as PiiType) : PII_TYPE_ALIASES[name];
    if (type) seen.add(type);
    else addIssue(ctx, `unknown PII type "${raw}"`, suggestion(raw, PII_TYPES, 'valid types'), [i]);
  });
  // Canonical order, so two spellings of one policy normalise to the same thing.
  return PII_TYPES.filter((t) => seen.has(t));
});

/**
 * PIIConfig of seed 001. `types` empty or omitted means every type; `domains` empty means every
 * destination.
 */
export const piiSchema = strictSection({
  /** Activate PII scanning. Default false. */
  enabled: z.boolean().default(false),
  /** Categories to detect; empty = all. */
  types: piiTypeList.default([]),
  /** redact (default) | block | log_only. */
  action: choice(REDACTION_ACTIONS, 'PII action').default('redact'),
  /** Restore original values in responses. Default false. */
  rehydrate_response: z.boolean().default(false),
  /** Destination host patterns to scan; empty = all. */
  domains: hostPatternList.default([]),
});
