import type { PiiType } from '../../policy/pii-types.js';
import { parseBodyContentType, type BodyFormat } from './body/content-type.js';
import { decodeText, encodeText, looksBinary } from './body/decode.js';
import { redactForm } from './body/form.js';
import { redactJson, type FormatScanOptions } from './body/json.js';
import { redactMultipart, type PartOutcome } from './body/multipart.js';
import {
  cachedIssuer,
  replaceFindings,
  tallyFindings,
  tallyToCounts,
  type PiiFindingCount,
  type TokenIssuer,
} from './redact-text.js';
import type { PiiSession } from './session.js';
import type { PiiScanner } from './types.js';

/** What to do with PII found in a body (seed 001's RedactionAction). */
export type PiiAction = 'redact' | 'block' | 'log_only';

/** Options of {@link redactBody}. */
export interface RedactBodyOptions {
  scanner: PiiScanner;
  /** Types to look for. */
  types: ReadonlySet<PiiType>;
  action: PiiAction;
  /** The sandbox's session: issues the tokens (action `redact`). */
  session: PiiSession;
}

/** How a body was read: the format used, or why it was not read at all. */
export type ScannedFormat = Exclude<BodyFormat, 'unknown' | 'binary'>;

/** Result of {@link redactBody}. Carries types and counts of findings, never values. */
export interface RedactBodyResult {
  /** The body to send on: redacted (action `redact`) or the input itself. */
  body: Buffer;
  /** True when `body` differs from the input. */
  changed: boolean;
  /** True when the action is `block` and PII was found: the request must be refused (HTTP 403). */
  blocked: boolean;
  /** Findings per type. */
  findings: PiiFindingCount[];
  /** False when the body was passed without reading it (binary, unsupported charset). */
  scanned: boolean;
  /** Why the body was not scanned, when `scanned` is false. */
  notScannedReason?: string;
  /** The format the body was read as, when scanned. A JSON body that is not valid JSON is read as `text`. */
  format?: ScannedFormat;
  /** For multipart bodies: parts passed without scanning (file and binary parts). */
  partsSkipped?: number;
}

/** Multipart inside multipart is scanned one level deep; deeper parts are passed as binary. */
const MAX_MULTIPART_DEPTH = 2;

/**
 * Scans a request body for PII and applies the action: `redact` replaces every finding by its session
 * token (`[CREDIT_CARD_9f2a3b]`) keeping the body well formed for its content type; `block` leaves the
 * body unchanged and sets `blocked`; `log_only` leaves it unchanged and reports the findings.
 *
 * Formats: JSON (strings, keys and numbers; stays valid JSON), NDJSON, form-encoded (percent-encoded PII
 * is found; stays form-encoded), multipart (text parts scanned, file/binary parts passed), text, and
 * bodies without a useful content type when their bytes look like text. Binary bodies are passed and
 * reported as not scanned. Never throws on bad input, and runs in time linear in the body's size.
 *
 * @example
 * const result = redactBody(Buffer.from('{"card":"4111111111111111"}'), 'application/json', {
 *   scanner, types: new Set(['credit_card']), action: 'redact', session,
 * });
 * result.body.toString(); // '{"card":"[CREDIT_CARD_9f2a3b]"}'
 * result.findings; // [{ type: 'credit_card', count: 1 }]
 */
export function redactBody(
  body: Buffer,
  contentType: string | undefined,
  options: RedactBodyOptions,
): RedactBodyResult {
  const walk: Walk = {
    scanner: options.scanner,
    types: options.types,
    issuer: options.action === 'redact' ? cachedIssuer(options.session) : undefined,
    tally: new Map<PiiType, number>(),
  };
  const outcome = redactAny(body, contentType, walk, 0);
  const tally = walk.tally;
  const findings = tallyToCounts(tally);
  const blocked = options.action === 'block' && findings.length > 0;
  const result: RedactBodyResult = {
    body: outcome.body,
    changed: outcome.body !== body,
    blocked,
    findings,
    scanned: outcome.scanned,
  };
  if (outcome.reason !== undefined) result.notScannedReason = outcome.reason;
  if (outcome.format !== undefined) result.format = outcome.format;
  if (outcome.partsSkipped !== undefined) result.partsSkipped = outcome.partsSkipped;
  return result;
}

/** State of one redactBody call, shared by the parts of a multipart body. */
interface Walk {
  scanner: PiiScanner;
  types: ReadonlySet<PiiType>;
  issuer: TokenIssuer | undefined;
  tally: Map<PiiType, number>;
}

interface Outcome extends PartOutcome {
  reason?: string;
  format?: ScannedFormat;
  partsSkipped?: number;
}

function redactAny(body: Buffer, contentType: string | undefined, walk: Walk, depth: number): Outcome {
  const ct = parseBodyContentType(contentType);
  if (body.length === 0) return { body, scanned: true, format: 'text' };
  let format = ct.format;
  if (format === 'binary') return { body, scanned: false, reason: `binary content type ${ct.mediaType}` };
  if (format === 'multipart') {
    if (ct.boundary === undefined) {
      format = 'unknown';
    } else if (depth >= MAX_MULTIPART_DEPTH) {
      return { body, scanned: false, reason: 'multipart nested too deeply' };
    } else {
      const mp = redactMultipart(body, ct.boundary, (part, partType) =>
        redactAny(part, partType, walk, depth + 1),
      );
      if (mp !== undefined) {
        const out: Outcome = {
          body: mp.body,
          scanned: mp.partsScanned > 0,
          format: 'multipart',
          partsSkipped: mp.partsSkipped,
        };
        if (mp.partsScanned === 0) out.reason = 'no text parts in multipart body';
        return out;
      }
      format = 'unknown';
    }
  }
  if (format === 'unknown' && looksBinary(body)) {
    return { body, scanned: false, reason: 'body is binary (no textual content type, non-text bytes)' };
  }
  const decoded = decodeText(body, ct.charset);
  if (decoded === undefined)
    return { body, scanned: false, reason: `unsupported charset ${ct.charset ?? ''}` };

  const scan: FormatScanOptions = {
    scanner: walk.scanner,
    types: walk.types,
    session: walk.issuer,
    tally: walk.tally,
    asciiOnly: decoded.encoding === 'latin1',
  };
  let text: string | undefined;
  let used: ScannedFormat = 'text';
  if (format === 'json' || format === 'json-seq' || (format === 'unknown' && looksLikeJson(decoded.text))) {
    text = redactJson(decoded.text, format === 'json-seq' || format === 'unknown', scan);
    used = format === 'json-seq' ? 'json-seq' : 'json';
  } else if (format === 'form') {
    text = redactForm(decoded.text, scan);
    used = 'form';
  }
  if (text === undefined) {
    // Plain text, or JSON that did not parse (then its strings cannot be told apart; scan it all).
    const findings = walk.scanner.scan(decoded.text, walk.types);
    tallyFindings(findings, walk.tally);
    text = scan.session === undefined ? decoded.text : replaceFindings(decoded.text, findings, scan.session);
    used = 'text';
  }
  return {
    body: text === decoded.text ? body : encodeText(text, decoded.encoding),
    scanned: true,
    format: used,
  };
}

/** An undeclared body that starts like a JSON object or array is tried as JSON first. */
function looksLikeJson(text: string): boolean {
  const m = /^[\s\ufeff]*([{[])/.exec(text.slice(0, 64));
  return m !== null;
}
