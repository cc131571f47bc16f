import type { Token } from './tokens.js';

/**
 * Evidence from a phrase's place in its sentence, for names no dictionary knows: `Shovda is very
 * reliable` (a subject before a verb), `Warrane, can I speak to you` (someone addressed), and a word
 * that the text's own e-mail addresses spell out (`Tiia Mänd <tiia.mand@…>`). Each rule looks at a
 * few neighbouring tokens only, so the recognizer stays linear in the text.
 */

/**
 * Verbs that follow a person as the subject of a sentence. Kept to those that rarely follow a
 * product or heading word at the start of a sentence (`Apply is…` is rare; `Shovda is…` is not).
 */
const SUBJECT_VERBS: ReadonlySet<string> = new Set([
  'is',
  'was',
  'has',
  'had',
  'will',
  'would',
  'can',
  'could',
  'should',
  'must',
  'may',
  'might',
  'did',
  'does',
  "isn't",
  "wasn't",
  "hasn't",
  "didn't",
  "doesn't",
  "won't",
  "can't",
  'lives',
  'lived',
  'said',
  'says',
  'shouted',
  'told',
  'asked',
  'wrote',
  'works',
  'worked',
  'went',
  'came',
  'likes',
  'loves',
  'wants',
  'needs',
  'thinks',
  'knows',
  'called',
  'sent',
  'gave',
  'took',
  'made',
  'met',
  'left',
  'joined',
]);

/**
 * Words that open what is said to someone just named and a comma: `Anna, can you…`, `Kuba, please…`.
 */
const ADDRESSED_NEXT: ReadonlySet<string> = new Set([
  'can',
  'could',
  'would',
  'will',
  'do',
  'did',
  'are',
  'have',
  'please',
  'i',
  "i'm",
  "i'd",
  "i've",
  'you',
  "you're",
  'we',
  "we're",
  "let's",
  'let',
  'thanks',
  'thank',
  'how',
  'what',
  'where',
  'when',
  'why',
  'is',
  'it',
  'this',
  'here',
  'there',
  'hello',
  'hi',
  'welcome',
  'sorry',
  'good',
]);

/** The phrase opens a sentence and the next word, with no punctuation between, is a verb. */
export function subjectOfVerb(tokens: readonly Token[], first: number, last: number): boolean {
  const next = tokens[last + 1];
  return (
    tokens[first]!.sentenceStart &&
    tokens[last]!.punctAfter === '' &&
    next !== undefined &&
    next.kind === 'word' &&
    !next.lineStart &&
    next.punctBefore === '' &&
    SUBJECT_VERBS.has(next.lower)
  );
}

/** The phrase opens a sentence, a comma follows, and then a question or request: `Kuba, can I…`. */
export function addressed(tokens: readonly Token[], first: number, last: number): boolean {
  const next = tokens[last + 1];
  return (
    tokens[first]!.sentenceStart &&
    tokens[last]!.punctAfter === ',' &&
    next !== undefined &&
    !next.lineStart &&
    ADDRESSED_NEXT.has(next.lower)
  );
}

const EMAIL = /^([\p{L}\p{M}0-9._%+-]+)@[\p{L}\p{M}0-9.-]+\.\p{L}{2,}$/u;

/**
 * The words spelled by the local parts of e-mail addresses in the text (`tiia.mand@x.ee` → `tiia`,
 * `mand`), lower case, accents folded. A capitalised word of the text equal to one of them is very
 * likely the owner's name. Pieces shorter than 3 letters or with digits are left out.
 *
 * @example
 * emailNameParts(tokenize('mail tiia.mand@x.ee')); // Set {'tiia', 'mand'}
 */
export function emailNameParts(tokens: readonly Token[]): ReadonlySet<string> {
  let parts: Set<string> | undefined;
  for (const t of tokens) {
    if (t.kind !== 'other' || !t.text.includes('@')) continue;
    const local = EMAIL.exec(t.text)?.[1];
    if (!local) continue;
    for (const piece of local.split(/[._%+-]+/u)) {
      if (piece.length >= 3 && /^\p{L}+$/u.test(piece)) (parts ??= new Set()).add(foldAccents(piece));
    }
  }
  return parts ?? NO_PARTS;
}

const NO_PARTS: ReadonlySet<string> = new Set();

/** Lower case without diacritics, as e-mail local parts usually spell names (`Mänd` → `mand`). */
export function foldAccents(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
