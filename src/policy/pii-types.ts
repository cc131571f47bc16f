/**
 * The PII categories of seed 001. `address` is accepted for compatibility with `@declaw/sdk`, whose
 * default type list includes it; like `person_name` it is detected only by the Guardrails Service.
 * The types after `address` are the Guardrails Service's extra entities (seed 001, "With the
 * Guardrails Service"); they are scanned only when a policy names them.
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
  'organization',
  'location',
  'passport',
  'drivers_license',
  'medical_record',
  'bank_account',
] as const;

/** One PII category, e.g. `credit_card`. */
export type PiiType = (typeof PII_TYPES)[number];

/**
 * What an empty or omitted `pii.types` means: the categories of seed 001's PIIType table (plus
 * `address`). Organizations, locations and the document numbers are too common in ordinary prompts
 * to redact unless asked for.
 */
export const DEFAULT_PII_TYPES: readonly PiiType[] = Object.freeze(PII_TYPES.slice(0, 8));

/**
 * Spellings other clients send, mapped to ours (`@declaw/sdk` sends `phone`; Presidio's entity names
 * are accepted too).
 */
export const PII_TYPE_ALIASES: Readonly<Record<string, PiiType>> = Object.freeze({
  phone: 'phone_number',
  person: 'person_name',
  organisation: 'organization',
  us_passport: 'passport',
  passport_number: 'passport',
  driver_license: 'drivers_license',
  us_driver_license: 'drivers_license',
  medical_record_number: 'medical_record',
  mrn: 'medical_record',
  us_bank_number: 'bank_account',
  bank_account_number: 'bank_account',
});

/** Types the built-in engine detects by itself (regexes, checksums, libphonenumber, gitleaks rules). */
export const BUILT_IN_PII_TYPES: readonly PiiType[] = Object.freeze([
  'ssn',
  'credit_card',
  'email',
  'phone_number',
  'api_key',
  'ip_address',
]);

/** Types that need the Guardrails Service; the built-in engine reports it cannot detect them. */
export const NER_ONLY_PII_TYPES: ReadonlySet<PiiType> = new Set<PiiType>(
  PII_TYPES.filter((t) => !BUILT_IN_PII_TYPES.includes(t)),
);

/** The token prefix of a type: `credit_card` → `CREDIT_CARD`, as in `[CREDIT_CARD_9f2a3b]`. */
export function tokenPrefix(type: PiiType): string {
  return type.toUpperCase();
}
