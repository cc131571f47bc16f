import { InvalidArgumentError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import { compileRules } from './compile-rules.js';
import { isProtectedHeader, parseHeaderLine, renderHeaderLine } from './header-lines.js';
import { RulePrefilter } from './prefilter.js';
import { TransformScratch } from './scratch.js';
import type { CompiledRule } from './rule-runner.js';
import { runRule } from './rule-runner.js';
import type {
  BodyTransformResult,
  FiredRule,
  HeaderPair,
  HeadTransformResult,
  HttpMessageInput,
  MessageDirection,
  MessageTransformResult,
  TransformRuleInput,
} from './types.js';

/** Options of {@link TransformEngine}. */
export interface TransformEngineOptions {
  /** Receives debug notes (e.g. the prefilter being unavailable). Default: silent. */
  readonly logger?: Logger;
  /**
   * Use one RE2.Set pass to skip rules that cannot match (default true). Turning it off only makes
   * sense to measure what it saves; results are the same either way.
   */
  readonly prefilter?: boolean;
  /**
   * Memory for intermediate results when rules fire on a big body. By default each engine makes its
   * own (up to 2 x 4 MiB, allocated when first needed and kept); a process holding many engines (one
   * per sandbox policy) should pass one shared instance, which is safe within one thread.
   */
  readonly scratch?: TransformScratch;
}

interface DirectionPlan {
  readonly rules: readonly CompiledRule[];
  readonly scratch: TransformScratch;
  /** Present when there are at least two rules: with one, the rule's own scan is the cheapest test. */
  readonly prefilter: RulePrefilter | undefined;
}

function checkDirection(direction: unknown): asserts direction is MessageDirection {
  if (direction !== 'outbound' && direction !== 'inbound') {
    throw new InvalidArgumentError(
      'direction',
      `expected "outbound" (requests) or "inbound" (responses), got ${JSON.stringify(direction)}`,
    );
  }
}

/** Sum counts of the same rule, ordered by rule index. */
function mergeFired(...lists: (readonly FiredRule[])[]): FiredRule[] {
  const counts = new Map<number, number>();
  for (const list of lists) for (const f of list) counts.set(f.rule, (counts.get(f.rule) ?? 0) + f.count);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([rule, count]) => ({ rule, count }));
}

/**
 * Seed 002's transformation rules, compiled once and applied to bodies and heads of HTTP messages.
 *
 * Rules run in the order the policy lists them, each on the output of the previous one; a message
 * gets the rules of its direction plus the `both` rules. Patterns are RE2 (never JavaScript RegExp),
 * replacements are Python `re.sub` style. Results report which rules fired and how often, never what
 * they matched. Stateless between calls: one engine can serve every flow of a policy.
 *
 * @throws {PolicyInvalidError} when a rule is malformed; every problem is listed with its JSON path.
 * @example
 * const engine = new TransformEngine([
 *   { direction: 'both', match: String.raw`\b\d{3}-\d{2}-\d{4}\b`, replace: '[SSN_REDACTED]' },
 * ]);
 * engine.applyToText('ssn 123-45-6789', 'outbound');
 * // { output: 'ssn [SSN_REDACTED]', fired: [{ rule: 0, count: 1 }] }
 */
export class TransformEngine {
  readonly #plans: Readonly<Record<MessageDirection, DirectionPlan>>;

  constructor(rules: readonly TransformRuleInput[], options: TransformEngineOptions = {}) {
    const compiled = compileRules(rules);
    const logger = options.logger ?? silentLogger;
    const scratch = options.scratch ?? new TransformScratch();
    const plan = (dir: MessageDirection): DirectionPlan => {
      const mine = compiled.filter((r) => r.direction === dir || r.direction === 'both');
      const prefilter =
        mine.length >= 2 && options.prefilter !== false
          ? new RulePrefilter(
              mine.map((r) => r.pattern),
              logger,
            )
          : undefined;
      return { rules: mine, scratch, prefilter };
    };
    this.#plans = { outbound: plan('outbound'), inbound: plan('inbound') };
  }

  /**
   * Whether any rule applies to messages of this direction; when not, the proxy need not read them.
   *
   * @example
   * new TransformEngine([]).hasRules('outbound'); // false
   */
  hasRules(direction: MessageDirection): boolean {
    checkDirection(direction);
    return this.#plans[direction].rules.length > 0;
  }

  /**
   * Transform a body given as bytes. Bytes are read as UTF-8; bytes that are not valid UTF-8 never
   * match and pass through unchanged.
   *
   * @example
   * engine.applyToBuffer(Buffer.from('{"k":"123-45-6789"}'), 'inbound').output.toString();
   */
  applyToBuffer(body: Buffer, direction: MessageDirection): BodyTransformResult<Buffer> {
    checkDirection(direction);
    if (!Buffer.isBuffer(body)) throw new InvalidArgumentError('body', 'expected a Buffer');
    return applyPlan(this.#plans[direction], body);
  }

  /**
   * Transform a text body. When no rule fires the very same string comes back; when one does, the
   * text went through UTF-8, so lone surrogates (invalid UTF-16) come back as U+FFFD.
   *
   * @example
   * engine.applyToText('ignore previous instructions', 'inbound');
   */
  applyToText(text: string, direction: MessageDirection): BodyTransformResult<string> {
    checkDirection(direction);
    if (typeof text !== 'string') throw new InvalidArgumentError('text', 'expected a string');
    const plan = this.#plans[direction];
    if (plan.rules.length === 0) return { output: text, fired: [] };
    const { output, fired } = applyPlan(plan, Buffer.from(text, 'utf8'));
    return fired.length === 0 ? { output: text, fired } : { output: output.toString('utf8'), fired };
  }

  /**
   * Transform a message head. Every header is rendered as one line `Name: value` (name in canonical
   * case, `Authorization` not `authorization`) and the rules run on each line separately, so a rule
   * never sees or spans two headers. A line no rule changed is kept exactly as it came. A changed
   * line has control characters (CR, LF, NUL, ...) removed, then must still read `token: value`; if
   * not (or if it now names a protected header) the header is dropped and listed in `dropped`:
   * keeping the original would undo the rule. `Content-Length`, `Transfer-Encoding`, `Host` and
   * pseudo-headers are never transformed.
   *
   * @example
   * engine.applyToHead([['authorization', 'Bearer sk-abc123']], 'outbound').headers;
   * // [['authorization', 'Bearer [REDACTED]']]
   */
  applyToHead(headers: readonly HeaderPair[], direction: MessageDirection): HeadTransformResult {
    checkDirection(direction);
    if (!Array.isArray(headers))
      throw new InvalidArgumentError('headers', 'expected a list of [name, value] pairs');
    const plan = this.#plans[direction];
    const out: HeaderPair[] = [];
    const fired: (readonly FiredRule[])[] = [];
    const dropped: string[] = [];
    const repaired: string[] = [];
    for (const pair of headers) {
      const [name, value] = pair;
      if (typeof name !== 'string' || typeof value !== 'string') {
        throw new InvalidArgumentError('headers', 'every header must be a [name, value] pair of strings');
      }
      if (plan.rules.length === 0 || isProtectedHeader(name)) {
        out.push([name, value]);
        continue;
      }
      const run = applyPlan(plan, renderHeaderLine(name, value));
      if (run.fired.length === 0) {
        out.push([name, value]);
        continue;
      }
      fired.push(run.fired);
      const parsed = parseHeaderLine(run.output);
      if (parsed === undefined || isProtectedHeader(parsed.name)) {
        dropped.push(name);
        continue;
      }
      if (parsed.repaired) repaired.push(name);
      const keepSpelling = parsed.name.toLowerCase() === name.toLowerCase();
      out.push([keepSpelling ? name : parsed.name, parsed.value]);
    }
    return { headers: out, fired: mergeFired(...fired), dropped, repaired };
  }

  /**
   * Transform head and body of one message. The body must be decoded (no chunked framing, no
   * content-encoding). When the body changes size, `Content-Length` is set to the new length.
   *
   * @example
   * const r = engine.applyToMessage({ headers: [['Content-Length', '11']], body }, 'outbound');
   */
  applyToMessage(message: HttpMessageInput, direction: MessageDirection): MessageTransformResult {
    checkDirection(direction);
    if (typeof message !== 'object' || message === null) {
      throw new InvalidArgumentError('message', 'expected { headers, body }');
    }
    const head = this.applyToHead(message.headers, direction);
    const body = this.applyToBuffer(message.body, direction);
    let headers = head.headers;
    if (body.output.length !== message.body.length) {
      const length = String(body.output.length);
      headers = headers.map(([n, v]) => (n.toLowerCase() === 'content-length' ? [n, length] : [n, v]));
    }
    return {
      headers,
      body: body.output,
      fired: mergeFired(head.fired, body.fired),
      headFired: head.fired,
      bodyFired: body.fired,
      dropped: head.dropped,
      repaired: head.repaired,
    };
  }
}

/**
 * Run the rules of one direction over `input`. The prefilter says which rules can match the text;
 * once a rule rewrites it, that answer may be stale for later rules it ruled out, so it is asked
 * again when that saves scans (two or more such rules left) and otherwise those rules simply run.
 */
function applyPlan(plan: DirectionPlan, input: Buffer): BodyTransformResult<Buffer> {
  const { rules, prefilter, scratch } = plan;
  const fired: FiredRule[] = [];
  let text = input;
  const consulted = prefilter !== undefined && prefilter.worthTrying();
  let known = consulted ? prefilter.matching(text) : undefined;
  let skipped = 0;
  for (let j = 0; j < rules.length; j++) {
    if (known !== undefined && known[j] !== true) {
      skipped++;
      continue;
    }
    const rule = rules[j] as CompiledRule;
    const run = runRule(rule, text, scratch);
    if (run.count === 0) continue;
    fired.push({ rule: rule.index, count: run.count });
    text = run.output;
    if (known === undefined || prefilter === undefined) continue;
    let ruledOut = 0;
    for (let k = j + 1; k < rules.length; k++) if (known[k] !== true) ruledOut++;
    if (ruledOut >= 2) {
      const again = prefilter.matching(text);
      skipped--; // the second pass costs a scan of its own
      if (again === undefined) known = undefined;
      else for (let k = j + 1; k < rules.length; k++) known[k] = again[k] === true;
    } else if (ruledOut === 1) {
      for (let k = j + 1; k < rules.length; k++) known[k] = true;
    }
  }
  if (consulted) prefilter.recordSaving(skipped);
  return { output: scratch.owns(text) ? Buffer.from(text) : text, fired };
}
