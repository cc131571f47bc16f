import nlp from 'compromise';
import { InternalError } from '../../errors.js';

/**
 * What the `compromise` package's English lexicon says about one lower-case word or phrase. Only the
 * lexicon is used, not compromise's tagger: a dictionary lookup costs nanoseconds while the tagger
 * runs at a few hundred texts per second, too slow for the service's budget.
 */
export interface LexiconEntry {
  /** Tagged FirstName, MaleName or FemaleName. */
  givenName: boolean;
  /** Tagged LastName or Person. */
  surname: boolean;
  /** Tagged Honorific (`mr`, `dr`, `prof`, `sir`...). */
  honorific: boolean;
  /** Tagged City, Country, Region or Place. */
  place: boolean;
  /** Tagged Country (a subset of `place`). */
  country: boolean;
  /** Tagged Organization or SportsTeam. */
  organization: boolean;
  /** Has any tag that is not a name, place or organization: an ordinary English word. */
  common: boolean;
  /** A weekday, month or other date word (`Tuesday`, `June`), even where it is also a given name. */
  calendar: boolean;
}

type RawLexicon = Record<string, string | string[]>;

const GIVEN = new Set(['FirstName', 'MaleName', 'FemaleName']);
const SURNAME = new Set(['LastName', 'Person']);
const PLACE = new Set(['City', 'Country', 'Region', 'Place']);
const ORG = new Set(['Organization', 'SportsTeam']);
const CALENDAR = new Set(['WeekDay', 'Month', 'Date', 'Holiday']);
/** Tags compromise adds to proper nouns that say nothing about what kind they are. */
const NEUTRAL = new Set(['ProperNoun', 'Noun', 'Singular', 'Abbreviation', 'Demonym']);

/**
 * compromise's English lexicon plus its lists of words that end organization and place names
 * (`Bank`, `University`, `Lake`...), indexed once per recognizer.
 *
 * @example
 * const lex = new CompromiseLexicon();
 * lex.lookup('paris')?.place; // true
 * lex.orgWord('technologies'); // false, but lex.orgWord('bank') is true
 */
export class CompromiseLexicon {
  private readonly entries = new Map<string, LexiconEntry>();
  private readonly orgWords: ReadonlySet<string>;
  private readonly placeWords: ReadonlySet<string>;
  /** Longest multi-word entry, in words, so phrase lookups know when to stop. */
  readonly maxPhraseWords: number;

  constructor() {
    const model = nlp.model() as {
      one?: { lexicon?: RawLexicon };
      two?: { orgWords?: Record<string, boolean>; placeWords?: Record<string, boolean> };
    };
    const lexicon = model.one?.lexicon;
    if (!lexicon || typeof lexicon !== 'object') {
      throw new InternalError('compromise has no lexicon in model().one; declaw needs compromise 14.x');
    }
    let maxWords = 1;
    for (const [word, raw] of Object.entries(lexicon)) {
      const tags = Array.isArray(raw) ? raw : [raw];
      const entry: LexiconEntry = {
        givenName: tags.some((t) => GIVEN.has(t)),
        surname: tags.some((t) => SURNAME.has(t)),
        honorific: tags.includes('Honorific'),
        place: tags.some((t) => PLACE.has(t)),
        country: tags.includes('Country'),
        organization: tags.some((t) => ORG.has(t)),
        calendar: tags.some((t) => CALENDAR.has(t)),
        common: tags.some(
          (t) => !GIVEN.has(t) && !SURNAME.has(t) && !PLACE.has(t) && !ORG.has(t) && !NEUTRAL.has(t),
        ),
      };
      this.entries.set(word, entry);
      maxWords = Math.max(maxWords, word.split(' ').length);
    }
    this.maxPhraseWords = Math.min(maxWords, 4);
    this.orgWords = new Set(Object.keys(model.two?.orgWords ?? {}));
    this.placeWords = new Set(Object.keys(model.two?.placeWords ?? {}));
  }

  /** The entry of a lower-case word or space-joined phrase, if compromise knows it. */
  lookup(lower: string): LexiconEntry | undefined {
    return this.entries.get(lower);
  }

  /** A word that ends organization names in compromise's model (`bank`, `council`, `airlines`). */
  orgWord(lower: string): boolean {
    return this.orgWords.has(lower);
  }

  /** A word that ends place names in compromise's model (`lake`, `island`, `heights`). */
  placeWord(lower: string): boolean {
    return this.placeWords.has(lower);
  }
}
