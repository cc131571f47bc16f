import type { PiiType } from '../../policy/pii-types.js';
import type { PiiSession } from './session.js';
import type { PiiFinding, PiiScanner } from './types.js';

/** Anything that hands out tokens: a {@link PiiSession}, or a per-body cache in front of one. */
export interface TokenIssuer {
  tokenFor(type: PiiType, value: string): string;
}

/**
 * A {@link TokenIssuer} that remembers the tokens handed out while one body is redacted, so a value
 * repeated ten thousand times in a body costs one session lookup, not ten thousand.
 *
 * @example
 * const issuer = cachedIssuer(session);
 * issuer.tokenFor('ssn', '123-45-6789') === issuer.tokenFor('ssn', '123-45-6789'); // true, one vault lookup
 */
export function cachedIssuer(session: TokenIssuer): TokenIssuer {
  const seen = new Map<string, string>();
  return {
    tokenFor(type: PiiType, value: string): string {
      const key = `${type}\u0000${value}`;
      let token = seen.get(key);
      if (token === undefined) {
        token = session.tokenFor(type, value);
        seen.set(key, token);
      }
      return token;
    },
  };
}

/** How many findings of one type a body held. Types and counts only: never values or positions. */
export interface PiiFindingCount {
  type: PiiType;
  count: number;
}

/**
 * Counts findings per type, adding to `tally`. Kept as a Map while a body is walked so that formats with
 * many segments (JSON strings, form fields, multipart parts) add up cheaply.
 */
export function tallyFindings(findings: readonly PiiFinding[], tally: Map<PiiType, number>): void {
  for (const f of findings) tally.set(f.type, (tally.get(f.type) ?? 0) + 1);
}

/**
 * The tally as the list results carry, in a stable order (by type name) so that two scans of the same
 * body report identically.
 */
export function tallyToCounts(tally: ReadonlyMap<PiiType, number>): PiiFindingCount[] {
  return [...tally]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, count]) => ({ type, count }));
}

/**
 * Replaces each finding in `text` by its token. `render` turns a token into what the format needs
 * (a form body percent-encodes the brackets); by default the token is written as is. Findings must be
 * sorted and non-overlapping, as {@link PiiScanner.scan} returns them.
 *
 * @example
 * replaceFindings('ssn 123-45-6789', [{ type: 'ssn', start: 4, end: 15, detector: 'ssn', score: 1 }], session);
 * // 'ssn [SSN_0a1b2c]'
 */
export function replaceFindings(
  text: string,
  findings: readonly PiiFinding[],
  session: TokenIssuer,
  render: (token: string) => string = (t) => t,
): string {
  if (findings.length === 0) return text;
  const parts: string[] = [];
  parts.push(text.slice(appendReplaced(parts, text, 0, text.length, findings, session, render)));
  return parts.join('');
}

/**
 * Appends to `parts` the text `[from, to)` up to its last finding, each finding (offsets relative to
 * `from`) replaced by its token, and returns where the unreplaced rest begins. Lets a caller rewrite
 * many pieces of one large text into a single list of parts, without a string per piece.
 *
 * @example
 * const parts = ['{"a":"'];
 * const rest = appendReplaced(parts, text, 6, 21, findings, session); // parts: ['{"a":"', 'ssn ', '[SSN_0a1b2c]']
 */
export function appendReplaced(
  parts: string[],
  text: string,
  from: number,
  to: number,
  findings: readonly PiiFinding[],
  session: TokenIssuer,
  render: (token: string) => string = (t) => t,
): number {
  let at = from;
  for (const f of findings) {
    const start = from + f.start;
    const end = from + f.end;
    if (start < at || end <= start || end > to) continue;
    parts.push(text.slice(at, start), render(session.tokenFor(f.type, text.slice(start, end))));
    at = end;
  }
  return at;
}

/** Options of {@link redactText}. */
export interface RedactTextOptions {
  scanner: PiiScanner;
  types: ReadonlySet<PiiType>;
  session: PiiSession;
}

/** Result of {@link redactText}. */
export interface RedactTextResult {
  text: string;
  findings: PiiFindingCount[];
}

/**
 * Scans a plain string and replaces every finding by its session token. Bodies go through
 * {@link redactBody} instead, which keeps JSON, forms and multipart well formed.
 *
 * @example
 * const { text } = redactText('card 4111111111111111', { scanner, types: new Set(['credit_card']), session });
 * // 'card [CREDIT_CARD_9f2a3b]'
 */
export function redactText(text: string, options: RedactTextOptions): RedactTextResult {
  const findings = options.scanner.scan(text, options.types);
  const tally = new Map<PiiType, number>();
  tallyFindings(findings, tally);
  return { text: replaceFindings(text, findings, options.session), findings: tallyToCounts(tally) };
}
