import type { PiiType } from '../../policy/pii-types.js';
import { keepNonOverlapping } from './detectors/spans.js';
import { redactBody, type RedactBodyOptions, type RedactBodyResult } from './redact-body.js';
import type { PiiFinding, PiiScanner } from './types.js';

/** One entity an NER service found, in UTF-16 offsets of the text it was sent. */
export interface NerEntity {
  type: PiiType;
  start: number;
  end: number;
  score: number;
  recognizer: string;
}

/**
 * What the content pipeline needs from an NER service (the Guardrails client implements it): entities
 * per text, or the reason it has none to give. Must not throw.
 */
export interface NerAnalyzer {
  analyze(
    texts: readonly string[],
    types: readonly PiiType[],
  ): Promise<{ ok: true; value: NerEntity[][]; recovered: boolean } | { ok: false; reason: string }>;
}

/** Options of {@link redactBodyWithNer}: those of redactBody, the service, and the types only it finds. */
export interface NerRedactOptions extends RedactBodyOptions {
  ner: NerAnalyzer;
  /** Types sent to the service (the policy's NER-only types); the built-in scanner finds the rest. */
  nerTypes: readonly PiiType[];
}

/** {@link redactBodyWithNer}'s result: redactBody's, and how the service call went. */
export interface NerRedactResult {
  result: RedactBodyResult;
  /** Set when the service gave nothing and only the built-in scanner ran: its reason. */
  fallback?: string;
  /** True when this call's success closed the service client's open breaker. */
  recovered: boolean;
  /** How many texts went to the service (0 when the body held no text worth sending). */
  textsSent: number;
}

/** A text with no letter holds no name, place or organisation: not worth a round trip. */
const HAS_LETTER = /\p{L}/u;
/** The separator segment-scan joins segments with; an entity that runs across it is no entity. */
const SEGMENT_SEPARATOR = '\u0000';

/**
 * Redacts a body with the built-in scanner plus an NER service, with ONE service call per body.
 * redactBody walks the formats (JSON strings, form fields, multipart parts) and scans the texts it
 * finds; pass 1 runs it with a recording scanner that computes and caches the built-in findings of
 * each text; those texts go to the service in one `analyze` call; pass 2 runs redactBody again with a
 * scanner that returns the cached built-in findings merged with the service's entities. On overlap
 * the built-in finding wins (a checksum-validated card beats a model's guess), and one span gets one
 * type. When the service falls back, pass 2 sees only the built-in findings: exactly the result
 * redactBody alone would give, and `fallback` says why.
 *
 * @example
 * const { result, fallback } = await redactBodyWithNer(Buffer.from('{"q":"Email John Smith"}'), 'application/json', {
 *   scanner, types: new Set(['person_name', 'email']), action: 'redact', session, ner: client, nerTypes: ['person_name'],
 * });
 * result.body.toString(); // '{"q":"Email [PERSON_NAME_1c9e0a]"}' (fallback undefined)
 */
export async function redactBodyWithNer(
  body: Buffer,
  contentType: string | undefined,
  options: NerRedactOptions,
): Promise<NerRedactResult> {
  const memo = new MemoScanner(options.scanner);
  redactBody(body, contentType, { ...options, scanner: memo, action: 'log_only' });
  const texts = memo.texts().filter((t) => HAS_LETTER.test(t));
  if (texts.length === 0 || options.nerTypes.length === 0) {
    return {
      result: redactBody(body, contentType, { ...options, scanner: memo }),
      recovered: false,
      textsSent: 0,
    };
  }
  const answer = await options.ner.analyze(texts, options.nerTypes);
  if (!answer.ok) {
    const result = redactBody(body, contentType, { ...options, scanner: memo });
    return { result, fallback: answer.reason, recovered: false, textsSent: texts.length };
  }
  const entities = new Map<string, NerEntity[]>();
  texts.forEach((t, i) => {
    const found = answer.value[i];
    if (found && found.length > 0) entities.set(t, found);
  });
  const merged = new MergedScanner(memo, entities);
  const result = redactBody(body, contentType, { ...options, scanner: merged });
  return { result, recovered: answer.recovered, textsSent: texts.length };
}

/**
 * The built-in scanner with a per-body cache by text (and thus by the one type set of the body), and
 * a record of the texts it was asked about, in first-seen order.
 */
class MemoScanner implements PiiScanner {
  readonly #cache = new Map<string, PiiFinding[]>();

  constructor(private readonly inner: PiiScanner) {}

  get supportedTypes(): ReadonlySet<PiiType> {
    return this.inner.supportedTypes;
  }

  scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[] {
    let found = this.#cache.get(text);
    if (found === undefined) {
      found = this.inner.scan(text, types);
      this.#cache.set(text, found);
    }
    return found.map((f) => ({ ...f }));
  }

  texts(): string[] {
    return [...this.#cache.keys()];
  }
}

interface Ranked extends PiiFinding {
  rank: number;
}

/** Built-in findings first, then the service's entities where they overlap none. */
class MergedScanner implements PiiScanner {
  constructor(
    private readonly builtIn: MemoScanner,
    private readonly entities: ReadonlyMap<string, NerEntity[]>,
  ) {}

  get supportedTypes(): ReadonlySet<PiiType> {
    return this.builtIn.supportedTypes;
  }

  scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[] {
    const own = this.builtIn.scan(text, types);
    const extra = this.entities.get(text);
    if (extra === undefined) return own;
    const candidates: Ranked[] = own.map((f) => ({ ...f, rank: 0 }));
    for (const e of extra) {
      if (!types.has(e.type) || e.start < 0 || e.end > text.length || e.start >= e.end) continue;
      if (text.slice(e.start, e.end).includes(SEGMENT_SEPARATOR)) continue;
      candidates.push({
        type: e.type,
        start: e.start,
        end: e.end,
        detector: `guardrails:${e.recognizer}`,
        score: e.score,
        rank: 1,
      });
    }
    const kept = keepNonOverlapping(
      candidates,
      (a, b) => a.rank - b.rank || b.end - b.start - (a.end - a.start) || a.start - b.start,
    );
    return kept.map(({ rank: _rank, ...f }) => f);
  }
}
