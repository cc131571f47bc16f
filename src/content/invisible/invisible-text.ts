/**
 * Invisible characters that can hide instructions from a human reviewer while a model still reads them:
 * zero-width characters, soft hyphen, word joiner and invisible operators, bidi embeddings/overrides/
 * isolates, the BOM, and the Unicode tag block (U+E0000–U+E007F, "ASCII smuggling").
 */
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/gu;

/** Result of {@link findInvisibleText}: how many invisible characters, and the text without them. */
export interface InvisibleTextResult {
  count: number;
  /** The input with every invisible character removed (the input itself when count is 0). */
  stripped: string;
}

/**
 * Count and strip invisible characters.
 * @example findInvisibleText('ig\u200bnore') // { count: 1, stripped: 'ignore' }
 */
export function findInvisibleText(text: string): InvisibleTextResult {
  let count = 0;
  const stripped = text.replace(INVISIBLE, () => {
    count += 1;
    return '';
  });
  return { count, stripped: count === 0 ? text : stripped };
}
