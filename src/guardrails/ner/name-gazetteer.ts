import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileUnreadableError } from '../../errors.js';

/**
 * The person-name lists built into the repository by `scripts/build-name-gazetteer.ts`
 * (data/names/given-names.txt, name-parts.txt, and common-words.txt for the words that are usually
 * not names; sources and licences in NOTICE). Read from disk
 * once, when a recognizer is created; nothing is downloaded.
 */
export interface NameGazetteer {
  /** A common given name (`anette`, `matthew`). Lower-case input. */
  isGivenName(lower: string): boolean;
  /** A given name or surname of any culture (`abramov`, `vargas`). Lower-case input. */
  isNamePart(lower: string): boolean;
  /** An everyday English word (`comedy`, `server`, also `rose`): capitalised, it is weak evidence of a name. */
  isCommonWord(lower: string): boolean;
  readonly size: { givenNames: number; nameParts: number; commonWords: number };
}

const FILES = { given: 'given-names.txt', parts: 'name-parts.txt', common: 'common-words.txt' } as const;

/**
 * Where data/names lives: beside src/ in a checkout, beside dist/src/ in the published package.
 */
export function defaultNameDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../data/names'), resolve(here, '../../../../data/names')];
  return candidates.find((dir) => existsSync(resolve(dir, FILES.given))) ?? candidates[0]!;
}

function readList(dir: string, file: string): Set<string> {
  const path = resolve(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // The files ship with the package; a checkout rebuilds them with scripts/build-name-gazetteer.ts.
    throw new FileUnreadableError(path, err);
  }
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line !== '' && !line.startsWith('#')) names.add(line);
  }
  return names;
}

/**
 * Loads the gazetteer from `dir` (default: the repository's data/names).
 *
 * @example
 * const names = loadNameGazetteer();
 * names.isGivenName('matthew'); // true
 */
export function loadNameGazetteer(dir = defaultNameDataDir()): NameGazetteer {
  const given = readList(dir, FILES.given);
  const parts = readList(dir, FILES.parts);
  const common = readList(dir, FILES.common);
  return {
    isGivenName: (lower) => given.has(lower),
    isNamePart: (lower) => parts.has(lower) || given.has(lower),
    isCommonWord: (lower) => common.has(lower),
    size: { givenNames: given.size, nameParts: parts.size, commonWords: common.size },
  };
}
