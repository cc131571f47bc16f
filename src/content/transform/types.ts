/**
 * Shapes shared by the transformation engine: the rules it is built from and the results it returns.
 * Results name rules by their index in the policy's list and count matches; they never carry matched
 * text, so they can go straight into the audit log.
 */

/** Which traffic a rule applies to (seed 002): requests, responses, or both. */
export type TransformDirection = 'outbound' | 'inbound' | 'both';

/** The direction of one message: a request leaving the sandbox or a response coming back. */
export type MessageDirection = 'outbound' | 'inbound';

/**
 * One transformation rule as the policy states it (seed 002's `TransformationRule`).
 *
 * @example
 * const rule: TransformRuleInput = {
 *   direction: 'outbound',
 *   match: String.raw`(Authorization:\s*Bearer\s+)(sk-[A-Za-z0-9]+)`,
 *   replace: String.raw`\1[REDACTED]`,
 * };
 */
export interface TransformRuleInput {
  readonly direction: TransformDirection;
  /** RE2 pattern (Go `regexp` syntax; Python-compatible for the constructs both share). */
  readonly match: string;
  /** Python `re.sub` style replacement: `\1`, `\g<name>`, `\\`, `\n`; `$` is literal. */
  readonly replace: string;
}

/** How often one rule fired on a message. */
export interface FiredRule {
  /** Index of the rule in the policy's `transformations` list. */
  readonly rule: number;
  /** Number of matches replaced (at least 1). */
  readonly count: number;
}

/** Result of transforming a text or byte body. */
export interface BodyTransformResult<T> {
  /** The transformed body; the very same value as the input when no rule fired. */
  readonly output: T;
  /** Rules that fired, in the order they ran (ascending index). Empty when nothing changed. */
  readonly fired: readonly FiredRule[];
}

/** One header as a name/value pair, in the order it appears on the wire. */
export type HeaderPair = readonly [name: string, value: string];

/** Result of transforming a message head. */
export interface HeadTransformResult {
  /** The transformed headers, always well formed (token names, no CR/LF/NUL/control bytes in values). */
  readonly headers: HeaderPair[];
  /** Rules that fired on any header line, with the total count over all lines. */
  readonly fired: readonly FiredRule[];
  /**
   * Original names of headers removed because a rule left a line that no longer parses as
   * `Name: value` (or renamed it to a protected name). Keeping the original would undo the rule.
   */
  readonly dropped: readonly string[];
  /** Original names of headers whose rewritten value had control characters removed. */
  readonly repaired: readonly string[];
}

/** An HTTP message as the proxy hands it over: head plus decoded (de-chunked, decompressed) body. */
export interface HttpMessageInput {
  readonly headers: readonly HeaderPair[];
  readonly body: Buffer;
}

/** Result of transforming a whole message. */
export interface MessageTransformResult extends HeadTransformResult {
  /** The transformed body; the same Buffer as the input when no rule changed it. */
  readonly body: Buffer;
  /** Fired rules of head and body together (counts summed). */
  readonly fired: readonly FiredRule[];
  /** Fired rules on the head only. */
  readonly headFired: readonly FiredRule[];
  /** Fired rules on the body only. */
  readonly bodyFired: readonly FiredRule[];
}
