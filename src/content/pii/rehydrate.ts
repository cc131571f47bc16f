import { parseBodyContentType } from './body/content-type.js';
import type { PiiSession } from './session.js';
import { couldStartToken, MAX_TOKEN_PREFIX_LENGTH, tokenPattern } from './token.js';

/**
 * Where a token sits, which decides how its original value is escaped: `text` (as is), `json` (inside
 * a JSON string: JSON-escaped), `form` (form-encoded: percent-encoded).
 */
export type RehydrationContext = 'text' | 'json' | 'form';

/**
 * The context of a response body from its content type: JSON types (and NDJSON) → `json`, form-encoded →
 * `form`, anything else → `text`. `text/event-stream` is handled by the SSE rehydrator.
 *
 * @example
 * contextForContentType('application/json; charset=utf-8'); // 'json'
 */
export function contextForContentType(contentType: string | undefined): RehydrationContext {
  const { format } = parseBodyContentType(contentType);
  if (format === 'json' || format === 'json-seq') return 'json';
  if (format === 'form') return 'form';
  return 'text';
}

/**
 * Escapes an original value for where its token was found. A token written percent-encoded
 * (`%5BSSN_0a1b2c%5D`) stood in form-encoded text, so its value is percent-encoded too, whatever the
 * surrounding context.
 *
 * @example
 * escapeValue('a"b', 'json', false); // 'a\\"b'
 * escapeValue('a b@c', 'form', false); // 'a+b%40c'
 */
export function escapeValue(value: string, context: RehydrationContext, encodedToken: boolean): string {
  if (encodedToken || context === 'form') return encodeURIComponent(value).replace(/%20/g, '+');
  if (context === 'json') return JSON.stringify(value).slice(1, -1);
  return value;
}

/** Output of {@link rewriteTokens}. */
export interface RewriteOutput {
  /** The text with every issued token replaced. */
  text: string;
  /** A tail held back because it could still become a token (empty unless `holdTail`). */
  held: string;
  /** Number of tokens replaced. */
  replaced: number;
}

/**
 * Replaces tokens a session issued, with a token pattern of its own: a streaming rehydrator keeps one
 * for its whole stream instead of compiling the pattern for every event.
 *
 * @example
 * const rewriter = new TokenRewriter(session);
 * rewriter.rewrite('see [SSN_0a1b2c] and [CRE', 'text', true);
 * // { text: 'see 123-45-6789 and ', held: '[CRE', replaced: 1 }
 */
export class TokenRewriter {
  readonly #session: PiiSession;
  /** Literal and percent-encoded tokens; used only within one synchronous call at a time. */
  readonly #tokens = tokenPattern(true);

  constructor(session: PiiSession) {
    this.#session = session;
  }

  /** See {@link rewriteTokens}. */
  rewrite(
    text: string,
    context: RehydrationContext,
    holdTail: boolean,
    toBytes?: (replacement: string) => string,
  ): RewriteOutput {
    const session = this.#session;
    let out = '';
    let at = 0;
    let replaced = 0;
    if (!session.empty && mayContainToken(text)) {
      // A token usually repeats within a text; resolve and escape each spelling once.
      let seen: Map<string, string | null> | undefined;
      const tokens = this.#tokens;
      tokens.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = tokens.exec(text)) !== null) {
        seen ??= new Map();
        let replacement = seen.get(m[0]);
        if (replacement === undefined) {
          const encoded = m[1] === undefined;
          const value = session.resolve(`[${encoded ? m[2]! : m[1]}]`);
          replacement = value === undefined ? null : escapeValue(value, context, encoded);
          if (replacement !== null && toBytes !== undefined) replacement = toBytes(replacement);
          seen.set(m[0], replacement);
        }
        if (replacement === null) continue;
        out += text.slice(at, m.index) + replacement;
        at = m.index + m[0].length;
        replaced++;
      }
    }
    const cut = holdTail ? holdBackFrom(text, at) : text.length;
    if (replaced === 0 && cut === text.length) return { text, held: '', replaced };
    return { text: out + text.slice(at, cut), held: text.slice(cut), replaced };
  }
}

/**
 * Replaces every token `session` issued in `text` by its escaped value; tokens it did not issue stay.
 * With `holdTail`, a tail that could still grow into a token (`[CREDIT_CA`) is cut off and returned in
 * `held` for the caller to prepend to what arrives next. `text` may be a latin1 view of bytes: tokens
 * are ASCII, and `toBytes` turns each replacement into the same kind of string. Streams call a
 * {@link TokenRewriter} of their own instead.
 *
 * @example
 * rewriteTokens('see [SSN_0a1b2c] and [CRE', session, 'text', true);
 * // { text: 'see 123-45-6789 and ', held: '[CRE', replaced: 1 }
 */
export function rewriteTokens(
  text: string,
  session: PiiSession,
  context: RehydrationContext,
  holdTail: boolean,
  toBytes?: (replacement: string) => string,
): RewriteOutput {
  return new TokenRewriter(session).rewrite(text, context, holdTail, toBytes);
}

/**
 * False when `text` holds no complete token: none of its `[` is followed by an upper-case letter and
 * none of its `%` by `5B`/`5b`. Most texts a stream rewrites (JSON around a delta, prose) fail this
 * cheap test, which spares them the token regex; a text with many brackets (a JSON array body) goes
 * to the regex after a few, which is then the faster test.
 */
function mayContainToken(text: string): boolean {
  let budget = 16;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if ((next >= 65 && next <= 90) || --budget === 0) return true;
  }
  for (let i = text.indexOf('%5'); i >= 0; i = text.indexOf('%5', i + 1)) {
    const next = text.charCodeAt(i + 2);
    if (next === 66 || next === 98 || --budget === 0) return true;
  }
  return false;
}

/**
 * Where the held-back tail of `text` starts (`text.length` when nothing needs holding): the earliest
 * position, at or after `from` and within the longest possible token prefix of the end, from which the
 * rest could still become a token.
 */
export function holdBackFrom(text: string, from: number): number {
  const first = Math.max(from, text.length - MAX_TOKEN_PREFIX_LENGTH);
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 91 || c === 37) && couldStartToken(text.slice(i))) return i;
  }
  return text.length;
}

/**
 * Replaces the tokens `session` issued in a complete text, escaping each value for `context`. Strings
 * that look like tokens but were not issued by this session pass untouched.
 *
 * @example
 * rehydrateText('{"msg":"card [CREDIT_CARD_9f2a3b] ok"}', session, 'json');
 * // '{"msg":"card 4111111111111111 ok"}'
 */
export function rehydrateText(
  text: string,
  session: PiiSession,
  context: RehydrationContext = 'text',
): string {
  return rewriteTokens(text, session, context, false).text;
}
