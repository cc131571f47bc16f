import { HONORIFICS, NAME_PARTICLES } from './context-cues.js';
import type { Token } from './tokens.js';

/**
 * A run of capitalised tokens on one line, the unit the NER rules classify: `Sari J. Paavolainen`,
 * `Palantir Technologies`, `New York`. Indexes are into the token array.
 */
export interface ProperPhrase {
  /** Index of the first token. */
  first: number;
  /** Index of the last token (inclusive). */
  last: number;
}

/** Pronoun and article that are single capitals but never initials unless a dot follows. */
const NOT_INITIALS = new Set(['I', 'A', 'O']);

/** `I'm`, `It's`, `We'll`: contractions start sentences, never names. */
const CONTRACTION = /['’](?:m|re|ve|ll|d|t|s)$/iu;

function capitalWord(t: Token): boolean {
  return t.kind === 'word' && t.capitalized && !CONTRACTION.test(t.text);
}

function initial(t: Token): boolean {
  return t.kind === 'initial' && (!NOT_INITIALS.has(t.text) || t.punctAfter.startsWith('.'));
}

/** Whether `next` continues the phrase that ends with `prev`: same line, nothing but space between. */
function joined(prev: Token, next: Token): boolean {
  if (next.lineStart) return false;
  if (prev.punctAfter === '') return next.punctBefore === '';
  // "J. Paavolainen", "Mr. Smith": a dot after an initial or honorific does not end the phrase.
  return (
    prev.punctAfter === '.' &&
    next.punctBefore === '.' &&
    (prev.kind === 'initial' || HONORIFICS.has(prev.lower))
  );
}

/**
 * Finds maximal runs of capitalised words and initials, allowing lower-case name particles
 * (`van`, `de la`) between two capitalised words. Runs never cross a line break or punctuation other
 * than the dot of an initial or short abbreviation.
 *
 * @example
 * findProperPhrases(tokenize('says Ana de la Cruz in Lima')); // [{first: 1, last: 4}, {first: 6, last: 6}]
 */
export function findProperPhrases(tokens: readonly Token[]): ProperPhrase[] {
  const phrases: ProperPhrase[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (!capitalWord(t) && !initial(t)) {
      i++;
      continue;
    }
    let last = i;
    let j = i + 1;
    while (j < tokens.length && joined(tokens[j - 1]!, tokens[j]!)) {
      const next = tokens[j]!;
      if (capitalWord(next) || initial(next)) {
        last = j;
        j++;
        continue;
      }
      // "Juliusz A Kwiatkowski": a bare A or O between two capitalised words is a middle initial.
      const after = tokens[j + 1];
      if (
        next.kind === 'initial' &&
        next.text !== 'I' &&
        capitalWord(tokens[j - 1]!) &&
        after !== undefined &&
        joined(next, after) &&
        capitalWord(after)
      ) {
        last = j + 1;
        j += 2;
        continue;
      }
      // Particles count only when a capitalised word follows them on the same run.
      if (next.kind === 'word' && NAME_PARTICLES.has(next.text)) {
        let k = j;
        while (k < tokens.length && tokens[k]!.kind === 'word' && NAME_PARTICLES.has(tokens[k]!.text)) {
          if (k > j && !joined(tokens[k - 1]!, tokens[k]!)) break;
          k++;
        }
        if (k < tokens.length && joined(tokens[k - 1]!, tokens[k]!) && capitalWord(tokens[k]!)) {
          last = k;
          j = k + 1;
          continue;
        }
      }
      break;
    }
    phrases.push({ first: i, last });
    i = last + 1;
  }
  return phrases;
}
