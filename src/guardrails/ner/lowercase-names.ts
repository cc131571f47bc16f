import type { CompromiseLexicon } from './compromise-lexicon.js';
import { HONORIFICS, NAME_PARTICLES } from './context-cues.js';
import type { NameGazetteer } from './name-gazetteer.js';
import type { Token } from './tokens.js';

/** A person name written in lower case, as offsets plus the rule that found it. */
export interface LowercaseName {
  start: number;
  end: number;
  score: number;
  rule: string;
}

/** Cues after which a lone lower-case given name is still a name: "my name is nina". */
const CUES: readonly (readonly string[])[] = [
  ['name', 'is'],
  ['call', 'me'],
  ['named'],
  ["i'm"],
  ['i', 'am'],
];

function endsWithCue(tokens: readonly Token[], i: number): boolean {
  return CUES.some((cue) => i >= cue.length && cue.every((w, k) => tokens[i - cue.length + k]!.lower === w));
}

/**
 * Names in text typed without capitals ("follow up with patricia desrosiers", "mr. elliott"): a
 * given name that is not also an English word, followed by a surname-like word (optionally with a
 * one-letter middle initial), or a given name right after a title or "my name is". Lower case text
 * is where Presidio's spaCy model misses most names.
 *
 * @example
 * findLowercaseNames(tokenize('ask eva kleist'), names, lexicon); // [{start: 4, end: 14, ...}]
 */
export function findLowercaseNames(
  tokens: readonly Token[],
  names: NameGazetteer,
  lexicon: CompromiseLexicon,
): LowercaseName[] {
  const ordinary = (t: Token): boolean =>
    names.isCommonWord(t.lower) || (lexicon.lookup(t.lower)?.common ?? false) || NAME_PARTICLES.has(t.lower);
  const lowerWord = (t: Token | undefined): t is Token =>
    t !== undefined && t.kind === 'word' && !t.capitalized;
  const adjacent = (a: Token, b: Token): boolean =>
    !b.lineStart && (a.punctAfter === '' || a.punctAfter === '.');
  const nameLike = (t: Token | undefined): t is Token => {
    if (!lowerWord(t) || t.text.length < 3 || ordinary(t)) return false;
    const entry = lexicon.lookup(t.lower);
    return !entry || !(entry.place || entry.organization || entry.calendar);
  };
  /**
   * `codey m ross`, `hyuuma t. maida`: two words no dictionary calls ordinary around a one-letter
   * middle initial, one of them a known name part. Returns the last token's index.
   */
  const initialledName = (tokens: readonly Token[], i: number): number | undefined => {
    const t = tokens[i]!;
    const middle = tokens[i + 1];
    const last = tokens[i + 2];
    if (!lowerWord(middle) || middle.text.length !== 1 || !adjacent(t, middle) || t.punctAfter !== '')
      return undefined;
    // "a" and "i" are words; as a middle initial they need their dot.
    if ((middle.lower === 'a' || middle.lower === 'i') && middle.punctAfter !== '.') return undefined;
    if (!nameLike(last) || !adjacent(middle, last)) return undefined;
    const known = (w: Token): boolean => names.isNamePart(w.lower);
    return known(t) || known(last) ? i + 2 : undefined;
  };
  const found: LowercaseName[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!lowerWord(t) || t.text.length < 3 || ordinary(t)) continue;
    if (!names.isGivenName(t.lower)) {
      const end = initialledName(tokens, i);
      if (end !== undefined) {
        found.push({ start: t.start, end: tokens[end]!.end, score: 0.55, rule: 'person:lowercase-initial' });
        i = end;
      }
      continue;
    }
    const prev = tokens[i - 1];
    const titled = prev !== undefined && HONORIFICS.has(prev.lower) && t.punctBefore.replace('.', '') === '';
    if (titled || (endsWithCue(tokens, i) && t.punctBefore === '')) {
      found.push({ start: t.start, end: t.end, score: 0.6, rule: 'person:lowercase-context' });
      continue;
    }
    let j = i + 1;
    const middle = tokens[j];
    if (lowerWord(middle) && middle.text.length === 1 && adjacent(t, middle)) j++;
    const last = tokens[j];
    if (!lowerWord(last) || last.text.length < 3 || ordinary(last) || !adjacent(tokens[j - 1]!, last))
      continue;
    if (t.punctAfter !== '') continue;
    found.push({ start: t.start, end: last.end, score: 0.55, rule: 'person:lowercase' });
    i = j;
  }
  return found;
}
