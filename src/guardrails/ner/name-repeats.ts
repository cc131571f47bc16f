import type { ClassifierResources, PhraseEntity } from './phrase-classifier.js';
import type { ProperPhrase } from './proper-phrases.js';
import type { Token } from './tokens.js';

/**
 * A name found once names the same person where it comes back without a cue: in `Gerth had given
 * Gerth his address`, the second `Gerth` has no verb after it but is the same word as the first.
 * Undecided phrases whose words all belong to a found person's name become that person; phrases
 * already decided as a place or company keep their decision (`Jordan` the country stays a country).
 *
 * @example
 * markRepeatedNames(tokens, phrases, decided, res); // the second "Gerth" becomes person:repeat
 */
export function markRepeatedNames(
  tokens: readonly Token[],
  phrases: readonly ProperPhrase[],
  decided: ReadonlyArray<PhraseEntity | undefined>,
  res: ClassifierResources,
): Array<PhraseEntity | undefined> {
  const known = new Set<string>();
  decided.forEach((found, i) => {
    if (found?.type !== 'person_name') return;
    // A person finding lies within its own phrase's tokens, so this stays linear in the text.
    for (let k = phrases[i]!.first; k <= phrases[i]!.last; k++) {
      const t = tokens[k]!;
      const inside = t.start >= found.start && t.end <= found.end;
      // Ordinary words inside a name ("Rose", "Frank") would spread to every sentence that uses them.
      if (inside && t.kind === 'word' && !res.names.isCommonWord(t.lower)) known.add(t.lower);
    }
  });
  if (known.size === 0) return [...decided];
  return decided.map((found, i) => {
    if (found !== undefined) return found;
    const p = phrases[i]!;
    for (let k = p.first; k <= p.last; k++) {
      const t = tokens[k]!;
      if (t.kind !== 'word' || !known.has(t.lower) || t.allCaps) return undefined;
    }
    return {
      type: 'person_name',
      start: tokens[p.first]!.start,
      end: tokens[p.last]!.end,
      score: 0.6,
      rule: 'person:repeat',
    };
  });
}
