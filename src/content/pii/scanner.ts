import { silentLogger, type Logger } from '../../logger.js';
import type { PiiType } from '../../policy/pii-types.js';
import { createApiKeyDetector } from './detectors/api-key.js';
import { createCreditCardDetector } from './detectors/credit-card.js';
import { createEmailDetector } from './detectors/email.js';
import { createIpAddressDetector } from './detectors/ip-address.js';
import { createPhoneNumberDetector } from './detectors/phone-number.js';
import { mergeByPriority, ordered } from './detectors/spans.js';
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

  function scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[] {
    if (typeof text !== 'string' || text.length === 0 || types.size === 0) return [];
    const wantsPhone = types.has('phone_number');
    // Findings per type in priority order; each detector's own findings are sorted and disjoint, so
    // overlaps between types resolve in one linear merge per type.
    const groups: Array<readonly PiiFinding[]> = [];
    for (const type of PRIORITY) {
      const detector = builtIn.get(type);
      if (detector === undefined) continue;
      if (!types.has(type) && !(wantsPhone && PHONE_GUARDS.includes(type))) continue;
      groups.push(ordered(detector.detect(text)));
    }
    let resolved = mergeByPriority(groups);
    // Phones never overlap what is already resolved: they are searched only in the gaps.
    if (wantsPhone) resolved = mergeByPriority([resolved, phone.detectAvoiding(text, resolved)]);
    const fromExtras = runExtras(text, types);
    if (fromExtras.length > 0) resolved = mergeByPriority([resolved, ...fromExtras]);
    return resolved.every((f) => types.has(f.type)) ? resolved : resolved.filter((f) => types.has(f.type));
  }

  /** Findings of each extra detector (in the order given), validated and ordered. */
  function runExtras(text: string, types: ReadonlySet<PiiType>): Array<readonly PiiFinding[]> {
    const out: Array<readonly PiiFinding[]> = [];
    for (const detector of extras) {
      if (!types.has(detector.type)) continue;
      let found: PiiFinding[];
      try {
        found = detector.detect(text);
      } catch (err) {
        logger.warn('PII detector failed; continuing with the others', {
          type: detector.type,
          error: err instanceof Error ? err.message : String(err),
        });
        continue;
      }
      // Validate at the boundary: an extra detector's offsets are not trusted.
      const valid = found.filter(
        (f) =>
          Number.isInteger(f.start) &&
          Number.isInteger(f.end) &&
          f.start >= 0 &&
          f.end <= text.length &&
          f.start < f.end &&
          f.type === detector.type,
      );
      out.push(ordered([...valid].sort((a, b) => a.start - b.start)));
    }
    return out;
  }

  return { supportedTypes, scan };
}
