import { STREET_WORDS } from './context-cues.js';
import type { ClassifierResources, PhraseEntity } from './phrase-classifier.js';
import type { ProperPhrase } from './proper-phrases.js';
import type { Token } from './tokens.js';

/**
 * Rules that need more than one phrase: where a phrase sits among its neighbours (address blocks,
 * signatures, firm names) says what it is when its own words do not. They run after
 * {@link classifyPhrase} and fill in or correct its per-phrase decisions.
 */

const NUMBER = /^\d[\d/-]*[a-z]?$/iu;

function isNumber(t: Token | undefined): boolean {
  return t !== undefined && NUMBER.test(t.text);
}

function span(
  tokens: readonly Token[],
  p: ProperPhrase,
  type: PhraseEntity['type'],
  score: number,
  rule: string,
): PhraseEntity {
  return { type, start: tokens[p.first]!.start, end: tokens[p.last]!.end, score, rule };
}

/** The tokens of the line before the one `index` is on. */
function previousLine(tokens: readonly Token[], index: number): Token[] {
  let i = index;
  while (i > 0 && !tokens[i]!.lineStart) i--;
  const end = i;
  if (end === 0) return [];
  let start = end - 1;
  while (start > 0 && !tokens[start]!.lineStart) start--;
  return tokens.slice(start, end);
}

/** A line that looks like the street part of an address: a house number, a street word, Apt/Suite. */
function streetLine(line: readonly Token[]): boolean {
  return line.some((t) => isNumber(t)) && line.some((t) => STREET_WORDS.has(t.lower) || isNumber(line[0]));
}

/** Only the phrase is on its line, apart from a postcode or a short region code after it. */
function ownsLine(tokens: readonly Token[], p: ProperPhrase): boolean {
  if (!tokens[p.first]!.lineStart) return false;
  for (let i = p.last + 1; i < tokens.length && !tokens[i]!.lineStart; i++) {
    const t = tokens[i]!;
    if (!isNumber(t) && !(t.allCaps && t.text.length <= 3)) return false;
  }
  return true;
}

/**
 * `..., Goiânia` after a house number or street on the same line, and a lone line under a street
 * line in an address block, are towns.
 */
function addressTown(tokens: readonly Token[], p: ProperPhrase): boolean {
  const before = tokens[p.first - 1];
  const first = tokens[p.first]!;
  if (before && !first.lineStart && first.punctBefore === ',') {
    if (isNumber(before) || STREET_WORDS.has(before.lower)) return true;
  }
  return ownsLine(tokens, p) && streetLine(previousLine(tokens, p.first));
}

/** `Owens, Duran and Oneal`: three surnames (none a given name) in a list, the way law and accounting firms are named. */
function firmName(
  tokens: readonly Token[],
  phrases: readonly ProperPhrase[],
  i: number,
  res: ClassifierResources,
): boolean {
  const [a, b, c] = [phrases[i], phrases[i + 1], phrases[i + 2]];
  if (!a || !b || !c || a.first !== a.last || b.first !== b.last || c.first !== c.last) return false;
  // Firms take surnames; a list of given names ("Kevin, Alma and Scott") is people. compromise's
  // curated first names decide, since the Moby given-name list also holds surnames like Armstrong.
  const surname = (p: ProperPhrase): boolean => {
    const lower = tokens[p.first]!.lower;
    if (res.lexicon.lookup(lower)?.givenName) return false;
    return res.names.isNamePart(lower) || !res.names.isCommonWord(lower);
  };
  return (
    b.first === a.last + 1 &&
    tokens[b.first]!.punctBefore === ',' &&
    c.first === b.last + 2 &&
    tokens[b.last + 1]!.lower === 'and' &&
    tokens[b.last + 1]!.punctBefore === '' &&
    surname(a) &&
    surname(b) &&
    surname(c)
  );
}

/**
 * Applies the layout rules to the per-phrase decisions (same order as `phrases`), returning the
 * amended list.
 *
 * @example
 * applyLayoutRules(tokens, phrases, phrases.map((p) => classifyPhrase(tokens, p, res)), res);
 */
export function applyLayoutRules(
  tokens: readonly Token[],
  phrases: readonly ProperPhrase[],
  decided: ReadonlyArray<PhraseEntity | undefined>,
  res: ClassifierResources,
): Array<PhraseEntity | undefined> {
  const out = [...decided];
  for (let i = 0; i < phrases.length; i++) {
    const p = phrases[i]!;
    if (firmName(tokens, phrases, i, res)) {
      out[i] = {
        type: 'organization',
        start: tokens[p.first]!.start,
        end: tokens[phrases[i + 2]!.last]!.end,
        score: 0.6,
        rule: 'organization:firm',
      };
      out[i + 1] = undefined;
      out[i + 2] = undefined;
      i += 2;
      continue;
    }
    if (out[i] !== undefined) continue;
    if (addressTown(tokens, p)) {
      out[i] = span(tokens, p, 'location', 0.6, 'location:address');
      continue;
    }
    // Signature blocks: a name alone on its line, maybe a job title, then the company alone on its line.
    if (ownsLine(tokens, p)) {
      for (let k = i - 1; k >= 0 && k >= i - 2; k--) {
        const prev = out[k];
        if (
          prev?.type === 'person_name' &&
          ownsLine(tokens, phrases[k]!) &&
          lineGap(tokens, phrases[k]!, p) <= 2
        ) {
          out[i] = span(tokens, p, 'organization', 0.55, 'organization:signature');
          break;
        }
      }
    }
  }
  return out;
}

/** How many line breaks separate two phrases. */
function lineGap(tokens: readonly Token[], a: ProperPhrase, b: ProperPhrase): number {
  let gaps = 0;
  for (let i = a.last + 1; i <= b.first; i++) if (tokens[i]!.lineStart) gaps++;
  return gaps;
}
