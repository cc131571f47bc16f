import fc from 'fast-check';

/** A Luhn-valid Visa number. */
const card = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map((ds) => {
  const body = [4, ...ds];
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body[body.length - 1 - i]!;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body.join('') + String((10 - (sum % 10)) % 10);
});

const ssn = fc
  .tuple(fc.integer({ min: 1, max: 665 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }))
  .map(
    ([a, g, s]) =>
      `${String(a).padStart(3, '0')}-${String(g).padStart(2, '0')}-${String(s).padStart(4, '0')}`,
  );

const email = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9.]{0,8}[a-z]$/),
    fc.stringMatching(/^[a-z]{2,8}$/),
    fc.constantFrom('com', 'org', 'io'),
  )
  .map(([l, d, t]) => `${l}@${d}.${t}`);

const phone = fc.integer({ min: 0, max: 9999 }).map((n) => `+1 (415) 555-${String(n).padStart(4, '0')}`);

const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

/** A card number as a JSON number (a client that stores cards as numbers). */
export const piiNumber = card.map((c) => Number(c));

/** A value of the kinds every detector finds without doubt (phones and IPs have edge cases by design). */
export const certainPiiValue = fc.oneof(card, ssn, email);

/** One PII value of a random kind. */
export const piiValue = fc.oneof(card, ssn, email, phone, ip);

/** Text of random Unicode (no lone surrogates) with PII values set in it, separated by spaces. */
export const textWithPii = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      piiValue.map((v) => ` ${v} `),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Split positions for a string or buffer of length `n`. */
export function cutsOf(n: number): fc.Arbitrary<number[]> {
  return fc
    .array(fc.integer({ min: 0, max: Math.max(0, n) }), { maxLength: 8 })
    .map((cs) => [...cs].sort((a, b) => a - b));
}

/** Pieces of `value` cut at `cuts` (some pieces may be empty). */
export function splitAt<T extends string | Buffer>(value: T, cuts: readonly number[]): T[] {
  const out: T[] = [];
  let at = 0;
  for (const c of [...cuts, value.length]) {
    out.push(value.slice(at, c) as T);
    at = c;
  }
  return out;
}
