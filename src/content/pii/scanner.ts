import { silentLogger, type Logger } from '../../logger.js';
import type { PiiType } from '../../policy/pii-types.js';
import { createApiKeyDetector } from './detectors/api-key.js';
import { createCreditCardDetector } from './detectors/credit-card.js';
import { createEmailDetector } from './detectors/email.js';
import { createIpAddressDetector } from './detectors/ip-address.js';
import { createPhoneNumberDetector } from './detectors/phone-number.js';
import { keepNonOverlapping } from './detectors/spans.js';
import { createSsnDetector } from './detectors/ssn.js';
import type { PiiDetector, PiiFinding, PiiScanner } from './types.js';

/** Options of {@link createPiiScanner}. */
export interface PiiScannerOptions {
  /** Regions whose national phone formats are validated, ISO 3166 codes; default `['US']`. */
  phoneRegions?: readonly string[];
  /**
   * More detectors, e.g. the Guardrails client's NER for `person_name`. Their types join
   * `supportedTypes`; where their findings overlap a built-in finding, the built-in one wins.
   */
  extraDetectors?: readonly PiiDetector[];
  /** Where failures of extra detectors are reported; they never abort a scan. */
  logger?: Logger;
}

/**
 * Which type keeps a span when findings overlap ("one span gets one type"). Keys first (a key is a
 * long, specific match), then the checksum- or structure-validated numbers, then e-mail and IPs;
 * phones last, because almost any long number is phone-shaped: a card is never half a phone.
 */
const PRIORITY: readonly PiiType[] = ['api_key', 'credit_card', 'ssn', 'email', 'ip_address', 'phone_number'];

/** Types whose findings keep phone detection off their spans even when they were not requested. */
const PHONE_GUARDS: readonly PiiType[] = ['credit_card', 'ssn', 'email', 'ip_address'];

interface Ranked extends PiiFinding {
  readonly rank: number;
}

/**
 * The built-in PII scanner: one detector per structured type (`ssn`, `credit_card`, `email`,
 * `ip_address`, `phone_number`, `api_key`) plus any `extraDetectors`. `person_name` and `address` need
 * NER and are not in `supportedTypes` unless an extra detector provides them.
 *
 * `scan(text, types)` returns findings of the requested types, sorted by start and non-overlapping.
 * Overlaps are resolved by type priority (api_key, credit_card, ssn, email, ip_address, phone_number,
 * then extra detectors), then by length. Phone detection never runs across a span another type
 * claimed, even if that type was not requested: asking only for phones does not turn a card into one.
 * An empty `types` set finds nothing (expanding "all types" is the policy's job).
 *
 * @throws {InvalidArgumentError} when a phone region is unknown.
 * @example
 * const scanner = createPiiScanner({ phoneRegions: ['US', 'GB'] });
 * scanner.scan('Please charge 4111111111111111 for $50', new Set(['credit_card']));
 * // [{ type: 'credit_card', start: 14, end: 30, detector: 'credit_card', score: 1 }]
 */
export function createPiiScanner(options: PiiScannerOptions = {}): PiiScanner {
  const logger = options.logger ?? silentLogger;
  const phone = createPhoneNumberDetector({ regions: options.phoneRegions ?? ['US'] });
  const builtIn = new Map<PiiType, PiiDetector>([
    ['api_key', createApiKeyDetector()],
    ['credit_card', createCreditCardDetector()],
    ['ssn', createSsnDetector()],
    ['email', createEmailDetector()],
    ['ip_address', createIpAddressDetector()],
  ]);
  const extras = [...(options.extraDetectors ?? [])];
  const supportedTypes = new Set<PiiType>([...builtIn.keys(), 'phone_number', ...extras.map((d) => d.type)]);

  const rankOf = (type: PiiType, extraIndex?: number): number =>
    extraIndex === undefined ? PRIORITY.indexOf(type) : PRIORITY.length + extraIndex;

  function scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[] {
    if (typeof text !== 'string' || text.length === 0 || types.size === 0) return [];
    const wantsPhone = types.has('phone_number');
    const candidates: Ranked[] = [];
    for (const [type, detector] of builtIn) {
      if (!types.has(type) && !(wantsPhone && PHONE_GUARDS.includes(type))) continue;
      for (const f of detector.detect(text)) candidates.push({ ...f, rank: rankOf(type) });
    }
    let resolved = resolve(candidates);
    if (wantsPhone) {
      const phones = phone.detectAvoiding(text, resolved);
      if (phones.length > 0)
        resolved = resolve([...resolved, ...phones.map((f) => ({ ...f, rank: rankOf(f.type) }))]);
    }
    const fromExtras = runExtras(text, types);
    if (fromExtras.length > 0) resolved = resolve([...resolved, ...fromExtras]);
    return resolved.filter((f) => types.has(f.type)).map(({ rank: _rank, ...f }) => f);
  }

  function runExtras(text: string, types: ReadonlySet<PiiType>): Ranked[] {
    const out: Ranked[] = [];
    extras.forEach((detector, i) => {
      if (!types.has(detector.type)) return;
      let found: PiiFinding[];
      try {
        found = detector.detect(text);
      } catch (err) {
        logger.warn('PII detector failed; continuing with the others', {
          type: detector.type,
          error: err instanceof Error ? err.message : String(err),
        });
        return;
      }
      for (const f of found) {
        // Validate at the boundary: an extra detector's offsets are not trusted.
        if (!Number.isInteger(f.start) || !Number.isInteger(f.end) || f.start < 0 || f.end > text.length)
          continue;
        if (f.start >= f.end || f.type !== detector.type) continue;
        out.push({ ...f, rank: rankOf(f.type, i) });
      }
    });
    return out;
  }

  return { supportedTypes, scan };
}

function resolve(candidates: readonly Ranked[]): Ranked[] {
  return keepNonOverlapping(
    candidates,
    (a, b) => a.rank - b.rank || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
}
