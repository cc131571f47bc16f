import { createPiiScanner } from '../../content/pii/scanner.js';
import { keepNonOverlapping } from '../../content/pii/detectors/spans.js';
import type { PiiScanner } from '../../content/pii/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';

/** Options of {@link createEntityAnalyzer}. */
export interface EntityAnalyzerOptions {
  /** Recognizers to run, e.g. NER for names and the pattern recognizers for document numbers. */
  recognizers: readonly EntityRecognizer[];
  /**
   * The structured detectors (SSN, cards, e-mail, phones, IPs, API keys), so the service alone answers
   * for every type. Default `createPiiScanner()`; `null` leaves them out.
   */
  builtIn?: PiiScanner | null;
  /** Where failing recognizers are reported; a failure never fails the analysis. */
  logger?: Logger;
}

/** Runs every recognizer over a text and keeps one type per span. */
export interface EntityAnalyzer {
  /** Every type some recognizer (or the built-in scanner) can report. */
  readonly supportedTypes: ReadonlySet<PiiType>;
  /** Non-overlapping findings sorted by start; `types` omitted means {@link supportedTypes}. */
  analyze(text: string, types?: ReadonlySet<PiiType>): EntityFinding[];
}

/**
 * Which type keeps a span when findings overlap. Checksummed or structure-validated numbers first,
 * then the context-gated document numbers, then phones (almost any long number is phone-shaped), then
 * NER's entities, whose spans are the least certain. Within a tier, the higher score wins, then the
 * longer span.
 */
const TIERS: readonly (readonly PiiType[])[] = [
  ['api_key', 'credit_card', 'ssn', 'email', 'ip_address'],
  ['passport', 'drivers_license', 'medical_record', 'bank_account'],
  ['phone_number'],
  ['person_name', 'organization', 'location', 'address'],
];

const tierOf = (type: PiiType): number => {
  const i = TIERS.findIndex((tier) => tier.includes(type));
  return i === -1 ? TIERS.length : i;
};

interface Ranked extends EntityFinding {
  readonly tier: number;
}

/**
 * The analysis behind `POST /v1/analyze`, usable in-process too (the benchmark compares both).
 *
 * @example
 * const analyzer = createEntityAnalyzer({ recognizers: createPatternRecognizers() });
 * analyzer.analyze('Passport number 123456789, SSN 123-45-6789');
 * // [{ type: 'passport', start: 16, end: 25, ... }, { type: 'ssn', start: 31, end: 42, ... }]
 */
export function createEntityAnalyzer(options: EntityAnalyzerOptions): EntityAnalyzer {
  const logger = options.logger ?? silentLogger;
  const builtIn = options.builtIn === undefined ? createPiiScanner() : options.builtIn;
  const recognizers = [...options.recognizers];
  const supportedTypes = new Set<PiiType>([
    ...(builtIn ? builtIn.supportedTypes : []),
    ...recognizers.flatMap((r) => r.types),
  ]);

  function analyze(text: string, types: ReadonlySet<PiiType> = supportedTypes): EntityFinding[] {
    if (text.length === 0 || types.size === 0) return [];
    const candidates: Ranked[] = [];
    if (builtIn) {
      const wanted = new Set([...types].filter((t) => builtIn.supportedTypes.has(t)));
      for (const f of builtIn.scan(text, wanted)) {
        candidates.push({
          type: f.type,
          start: f.start,
          end: f.end,
          score: f.score,
          recognizer: f.detector,
          tier: tierOf(f.type),
        });
      }
    }
    for (const r of recognizers) {
      const wanted = new Set(r.types.filter((t) => types.has(t)));
      if (wanted.size > 0) collect(r, text, wanted, candidates);
    }
    return keepNonOverlapping(candidates, better).map(({ tier: _tier, ...f }) => f);
  }

  function collect(r: EntityRecognizer, text: string, wanted: Set<PiiType>, out: Ranked[]): void {
    let found: EntityFinding[];
    try {
      found = r.analyze(text, wanted);
    } catch (err) {
      logger.warn('recognizer failed; answering with the others', {
        recognizer: r.name,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    for (const f of found) {
      // A recognizer's output is not trusted: offsets must lie in the text, the type must be one it
      // declared and was asked for, and the score must be a number in [0, 1].
      if (!Number.isInteger(f.start) || !Number.isInteger(f.end)) continue;
      if (f.start < 0 || f.end > text.length || f.start >= f.end) continue;
      if (!wanted.has(f.type) || !Number.isFinite(f.score)) continue;
      out.push({
        type: f.type,
        start: f.start,
        end: f.end,
        score: Math.min(1, Math.max(0, f.score)),
        recognizer: typeof f.recognizer === 'string' && f.recognizer ? f.recognizer : r.name,
        tier: tierOf(f.type),
      });
    }
  }

  return { supportedTypes, analyze };
}

function better(a: Ranked, b: Ranked): number {
  return a.tier - b.tier || b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start;
}
