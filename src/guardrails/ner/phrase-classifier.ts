import type { CompromiseLexicon } from './compromise-lexicon.js';
import {
  HONORIFICS,
  ORG_LEFT_CUES,
  ORG_SUFFIXES,
  PERSON_LEFT_CUES,
  PERSON_RIGHT_CUES,
  PLACE_LEFT_CUES,
  WEAK_PERSON_LEFT_CUES,
} from './context-cues.js';
import type { NameGazetteer } from './name-gazetteer.js';
import type { ProperPhrase } from './proper-phrases.js';
import type { Token } from './tokens.js';

/** The kinds of entity the NER recognizer reports. */
export type NerEntityType = 'person_name' | 'organization' | 'location';

/** What one phrase was classified as, with offsets of the part that is the entity. */
export interface PhraseEntity {
  type: NerEntityType;
  start: number;
  end: number;
  score: number;
  /** Which rule decided, e.g. `person:context`, `location:lexicon`. */
  rule: string;
}

/** The dictionaries the rules consult. */
export interface ClassifierResources {
  lexicon: CompromiseLexicon;
  names: NameGazetteer;
}

/** What the rules know about one token of a phrase. */
interface TokenFacts {
  given: boolean;
  namePart: boolean;
  common: boolean;
  place: boolean;
  org: boolean;
  unknown: boolean;
  initial: boolean;
}

function facts(t: Token, res: ClassifierResources): TokenFacts {
  if (t.kind === 'initial') {
    return {
      given: false,
      namePart: false,
      common: false,
      place: false,
      org: false,
      unknown: false,
      initial: true,
    };
  }
  const entry = res.lexicon.lookup(t.lower);
  const given = res.names.isGivenName(t.lower) || (entry?.givenName ?? false);
  const namePart = given || res.names.isNamePart(t.lower) || (entry?.surname ?? false);
  return {
    given,
    namePart,
    common: entry?.common ?? false,
    place: entry?.place ?? false,
    org: (entry?.organization ?? false) || ORG_SUFFIXES.has(t.lower) || res.lexicon.orgWord(t.lower),
    unknown: entry === undefined && !namePart,
    initial: false,
  };
}

/** The previous tokens' lower-case words, nearest last, not crossing sentence-ending punctuation. */
function leftWords(tokens: readonly Token[], first: number, max: number): string[] {
  const words: string[] = [];
  for (let i = first - 1; i >= 0 && words.length < max; i--) {
    const t = tokens[i]!;
    const after = tokens[i + 1]!;
    if (/[.!?]/u.test(after.punctBefore) && !HONORIFICS.has(t.lower)) break;
    words.unshift(t.lower);
  }
  return words;
}

function endsWith(words: readonly string[], cue: readonly string[]): boolean {
  if (cue.length > words.length) return false;
  const offset = words.length - cue.length;
  return cue.every((w, i) => words[offset + i] === w);
}

interface PersonCue {
  strong: boolean;
  weak: boolean;
}

function personLeftCue(words: readonly string[]): PersonCue {
  for (const cue of PERSON_LEFT_CUES) {
    if (endsWith(words, cue)) {
      const weak = cue.length === 1 && WEAK_PERSON_LEFT_CUES.has(cue[0]!);
      return { strong: !weak, weak };
    }
  }
  return { strong: false, weak: false };
}

function personRightCue(tokens: readonly Token[], last: number): boolean {
  const t = tokens[last]!;
  if (t.punctAfter.startsWith("'s")) return true;
  const next = tokens[last + 1];
  if (!next || next.lineStart) return false;
  return PERSON_RIGHT_CUES.has(next.lower) && (next.punctBefore === '' || next.punctBefore === ',');
}

/** The phrase is the only thing on its line (signature lines, address blocks, "From:" headers). */
function aloneOnLine(tokens: readonly Token[], first: number, last: number): boolean {
  const next = tokens[last + 1];
  return tokens[first]!.lineStart && (next === undefined || next.lineStart);
}

/** Multi-word place names compromise knows (`new york`, `united kingdom`). */
function phrasePlace(
  tokens: readonly Token[],
  first: number,
  last: number,
  res: ClassifierResources,
): boolean {
  const phrase = tokens
    .slice(first, last + 1)
    .map((t) => t.lower)
    .join(' ');
  return res.lexicon.lookup(phrase)?.place ?? false;
}

function entity(
  tokens: readonly Token[],
  first: number,
  last: number,
  type: NerEntityType,
  score: number,
  rule: string,
): PhraseEntity {
  return {
    type,
    start: tokens[first]!.start,
    end: tokens[last]!.end,
    score: Math.round(Math.min(0.95, Math.max(0.3, score)) * 100) / 100,
    rule,
  };
}

/**
 * Decides whether a capitalised phrase is a person, an organization, a place or nothing, from the
 * dictionaries (name gazetteer, compromise lexicon) and the words around it. Returns the entity with
 * titles and stray leading words (`Dear`, `Please`) trimmed off, or undefined.
 *
 * @example
 * classifyPhrase(tokens, { first: 0, last: 2 }, resources); // {type: 'person_name', rule: 'person:title', ...}
 */
export function classifyPhrase(
  tokens: readonly Token[],
  phrase: ProperPhrase,
  res: ClassifierResources,
): PhraseEntity | undefined {
  let { first, last } = phrase;
  let titled = false;
  // Titles are cues, and ordinary words that merely start the phrase ("Please Call", "Dear") are
  // context, not name.
  while (first <= last) {
    const t = tokens[first]!;
    if (t.kind === 'word' && HONORIFICS.has(t.lower)) {
      titled = true;
      first++;
      continue;
    }
    const f = facts(t, res);
    if (f.initial || !f.common || f.given) break;
    first++;
  }
  while (last >= first) {
    const f = facts(tokens[last]!, res);
    if (f.initial || !f.common || f.namePart || f.org) break;
    last--;
  }
  // A trailing initial is a sentence's "I" or a list letter, not part of a name.
  while (last >= first && tokens[last]!.kind === 'initial' && last > first) last--;
  if (first > last) return undefined;
  if (tokens[first]!.kind === 'initial' && first === last) return undefined;

  const parts = tokens.slice(first, last + 1).map((t) => facts(t, res));
  const n = parts.length;
  const left = leftWords(tokens, first, 3);
  const cue = personLeftCue(left);
  const rightCue = personRightCue(tokens, last);
  const alone = aloneOnLine(tokens, first, last);
  const placeCue = left.length > 0 && PLACE_LEFT_CUES.has(left.at(-1)!);
  const orgCue = left.length > 0 && ORG_LEFT_CUES.has(left.at(-1)!);
  const allCaps = tokens.slice(first, last + 1).every((t) => t.allCaps || t.kind === 'initial');
  const sentenceInitial = tokens[first]!.sentenceStart;

  // Organizations: a company word at the end ("Palantir Technologies", "Reed Bank") or a known brand.
  const lastFacts = parts[n - 1]!;
  if (n >= 2 && lastFacts.org && !lastFacts.given) {
    return entity(tokens, first, last, 'organization', 0.75, 'organization:suffix');
  }
  if (n === 1 && lastFacts.org && !lastFacts.namePart && !titled && !lastFacts.common) {
    return entity(tokens, first, last, 'organization', 0.6, 'organization:lexicon');
  }

  // Person evidence: gazetteer and lexicon hits, initials, titles and cue words around the phrase.
  let person = 0;
  const firstFacts = parts[0]!;
  if (firstFacts.given) person += 2;
  for (let i = 0; i < n; i++) {
    const f = parts[i]!;
    if (i > 0 && f.namePart) person += 1.2;
    if (f.unknown) person += n >= 2 ? 0.8 : 0.6;
    if (f.initial && i > 0 && i < n - 1) person += 1;
    if (f.common && !f.namePart) person -= 2;
    if (f.place && !f.namePart) person -= 2;
    if (f.org) person -= 3;
  }
  if (n === 1 && firstFacts.namePart && !firstFacts.given) person += 0.8;
  if (titled) person += 3;
  if (cue.strong) person += 2.5;
  else if (cue.weak && n >= 2) person += 0.5;
  if (rightCue) person += 1;
  if (alone && n >= 2) person += 1;
  if (n > 4) person -= 3;
  if (allCaps && !titled && !cue.strong) person -= 1;
  if (placeCue && !titled && !cue.strong) person -= 1.5;
  if (sentenceInitial && n === 1 && !titled && !cue.strong && !rightCue) person -= 1;

  const isPlace = (n === 1 && firstFacts.place) || (n > 1 && phrasePlace(tokens, first, last, res));
  if (isPlace && !titled && !(cue.strong && firstFacts.namePart)) {
    return entity(
      tokens,
      first,
      last,
      'location',
      firstFacts.place && parts.length === 1 ? 0.8 : 0.75,
      'location:lexicon',
    );
  }
  if (person >= 2.5) {
    const rule = titled ? 'person:title' : cue.strong || rightCue ? 'person:context' : 'person:gazetteer';
    return entity(tokens, first, last, 'person_name', 0.45 + person * 0.08, rule);
  }
  const unknownish = parts.every((f) => f.unknown || f.namePart || f.initial);
  if (placeCue && unknownish && !allCaps) {
    return entity(tokens, first, last, 'location', 0.55, 'location:context');
  }
  if (orgCue && unknownish) {
    return entity(tokens, first, last, 'organization', 0.5, 'organization:context');
  }
  return undefined;
}
