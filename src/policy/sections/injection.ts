import { z } from 'zod';
import { addIssue, choice, field, hostPatternList, strictSection } from './common.js';

/** block: reject the response; log: pass it and audit (seed 000). */
export const INJECTION_ACTIONS = ['block', 'log'] as const;

/** Default score threshold of the built-in scorer (its calibrated operating point). */
export const DEFAULT_INJECTION_THRESHOLD = 0.8;

/** Thresholds that `sensitivity` (sent by `@declaw/sdk`) stands for when no threshold is given. */
export const SENSITIVITY_THRESHOLDS = { low: 0.9, medium: DEFAULT_INJECTION_THRESHOLD, high: 0.6 } as const;

/** Posture names `@declaw/sdk` may send; accepted for compatibility, they do not change declaw's scorer. */
export const INJECTION_MODES = [
  'strict',
  'balanced',
  'permissive',
  'agentic-tool',
  'data-egress-sensitive',
] as const;

const injectionObject = strictSection({
  enabled: z.boolean().default(false),
  /** block (default) | log. `log_only`, as `@declaw/sdk` spells it, means log. */
  action: z
    .string()
    .transform((a) => (a === 'log_only' ? 'log' : a))
    .pipe(choice(INJECTION_ACTIONS, 'injection action'))
    .default('block'),
  threshold: z
    .number({ error: 'threshold must be a number between 0 and 1' })
    .min(0, { error: 'threshold must be between 0 and 1 (0 flags everything, 1 only certain injections)' })
    .max(1, { error: 'threshold must be between 0 and 1 (0 flags everything, 1 only certain injections)' })
    .optional(),
  /** @declaw/sdk compatibility: low | medium | high, used only when threshold is absent. */
  sensitivity: choice(['low', 'medium', 'high'], 'sensitivity').optional(),
  /** Destination host patterns whose responses are scanned; empty = all. */
  domains: hostPatternList.default([]),
  injection_mode: choice(INJECTION_MODES, 'injection mode').optional(),
  judge: z
    .looseObject({ enabled: z.boolean().default(false) })
    .optional()
    .superRefine((j, ctx) => {
      if (j?.enabled) {
        addIssue(
          ctx,
          'the LLM judge is a feature of the hosted Declaw product, not of declaw',
          `remove ${field('injection_defense.judge')} or set ${field('judge.enabled')} to false`,
        );
      }
    }),
});

/**
 * InjectionDefenseConfig of seed 000, or its shorthand `true`/`false`. Normalises to the full object;
 * `sensitivity`, `injection_mode` and a disabled `judge` (sent by `@declaw/sdk`) are absorbed.
 */
export const injectionSchema = z
  .union([z.boolean(), injectionObject], {
    error: 'expected true, false or an object with enabled, action, threshold, domains',
  })
  .transform((v) => {
    const o = typeof v === 'boolean' ? injectionObject.parse({ enabled: v }) : v;
    const threshold =
      o.threshold ?? (o.sensitivity ? SENSITIVITY_THRESHOLDS[o.sensitivity] : DEFAULT_INJECTION_THRESHOLD);
    return { enabled: o.enabled, action: o.action, threshold, domains: o.domains };
  });
