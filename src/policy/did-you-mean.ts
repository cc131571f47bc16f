import { closest, distance } from 'fastest-levenshtein';

/**
 * The closest of `candidates` to `input`, when it is close enough to be a plausible typo
 * (edit distance at most a third of the word, and at least 1), else undefined.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || input.length === 0) return undefined;
  const lower = input.toLowerCase();
  // A shortened name (`injection` for `injection_defense`) is as likely a slip as a typo.
  const prefixed =
    lower.length >= 3 ? candidates.find((c) => c.startsWith(lower) || lower.startsWith(c)) : undefined;
  if (prefixed) return prefixed;
  const best = closest(lower, [...candidates]);
  const limit = Math.max(1, Math.floor(Math.max(lower.length, best.length) / 3));
  return distance(lower, best) <= limit ? best : undefined;
}

/** "did you mean "x"? " when there is a close candidate, then the list of valid values. */
export function suggestion(input: string, candidates: readonly string[], noun = 'valid values'): string {
  const near = didYouMean(input, candidates);
  const list = `${noun}: ${candidates.join(', ')}`;
  return near ? `did you mean "${near}"? ${list}` : list;
}
