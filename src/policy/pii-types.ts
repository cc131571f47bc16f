/**
 * The PII categories of seed 001. `address` is accepted for compatibility with `@declaw/sdk`, whose
 * default type list includes it; like `person_name` it is detected only by the Guardrails Service.
 */
export const PII_TYPES = [
  'ssn',
  'credit_card',
  'email',
  'phone_number',
  'person_name',
  'api_key',
  'ip_address',
  'address',
] as const;

/** One PII category, e.g. `credit_card`. */
export type PiiType = (typeof PII_TYPES)[number];

/** Spellings other clients send, mapped to ours (`@declaw/sdk` sends `phone`). */
export const PII_TYPE_ALIASES: Readonly<Record<string, PiiType>> = Object.freeze({ phone: 'phone_number' });

/** Types that need the Guardrails Service (NER); the built-in engine reports it cannot detect them. */
export const NER_ONLY_PII_TYPES: ReadonlySet<PiiType> = new Set<PiiType>(['person_name', 'address']);

/** The token prefix of a type: `credit_card` → `CREDIT_CARD`, as in `[CREDIT_CARD_9f2a3b]`. */
export function tokenPrefix(type: PiiType): string {
  return type.toUpperCase();
}
