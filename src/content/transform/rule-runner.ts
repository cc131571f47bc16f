import { isUtf8 } from 'node:buffer';
import RE2 from 're2';
import type { CompiledReplacement } from '../../policy/replacement-syntax.js';
import { expandReplacement } from '../../policy/replacement-syntax.js';
import type { TransformScratch } from './scratch.js';
import type { TransformDirection } from './types.js';

/**
 * When one rule has matched more often than this in one input, it switches from the match-by-match
 * loop to node-re2's native replace. Each match handed to JavaScript costs a few microseconds, so a
 * body stuffed with matches (a response full of zero-width spaces) would cost seconds per MiB; the
 * native path costs two scans and a few copies of the input whatever the count, which is the better
 * deal from roughly one match per 2 KiB on (measured with bench/transform-throughput.ts).
 */
export function nativeReplaceThreshold(inputLength: number): number {
  return 256 + Math.floor(inputLength / 2048);
}

/** A rule ready to run: its RE2 program and its parsed replacement. */
export interface CompiledRule {
  /** Index in the policy's `transformations` list, reported in `fired`. */
  readonly index: number;
  readonly direction: TransformDirection;
  /** The `match` pattern as written. */
  readonly pattern: string;
  /** Global, Unicode RE2 program; `lastIndex` is reset around every use. */
  readonly re: RE2;
  readonly replacement: CompiledReplacement;
  /** The replacement in node-re2's `$` template syntax, for the native path. */
  readonly nativeTemplate: string;
  /** Whether the native path is exact on input that is not valid UTF-8; see {@link nativeSafeOnInvalidUtf8}. */
  readonly nativeSafeOnInvalid: boolean;
}

/** Outcome of running one rule over one buffer. */
export interface RuleRun {
  /** The rewritten bytes, or the input buffer itself when nothing matched. */
  readonly output: Buffer;
  /** Matches replaced. */
  readonly count: number;
}

/**
 * Translate a parsed Python-style replacement into node-re2's template language, in which `$` is
 * special. Groups are written with two digits (`$01`) so a literal digit after them is never read as
 * part of the group number.
 */
export function toNativeTemplate(replacement: CompiledReplacement): string {
  let template = '';
  for (const part of replacement.parts) {
    if (part.kind === 'literal') template += part.text.replaceAll('$', '$$$$');
    else if (part.kind === 'named') template += `$<${part.name}>`;
    else if (part.group === 0) template += '$&';
    else template += `$${String(part.group).padStart(2, '0')}`;
  }
  return template;
}

/**
 * Whether node-re2's native replace gives exact results for this pattern on bytes that are not
 * valid UTF-8. Its loop steps over an empty match by the length a lead byte announces, which for an
 * invalid byte can skip bytes or read past the end of the input. A match never contains an invalid
 * byte, so the only risk is an empty match right before one; whether the pattern allows that depends
 * only on the context flags at that position (start of text, previous byte a word character or a
 * newline), so four anchored probes decide it. A pattern that matches at an invalid byte at all
 * (`\C`) is treated as unsafe too.
 *
 * @example
 * nativeSafeOnInvalidUtf8('[\u200b\u00ad]'); // true: it never matches empty
 * nativeSafeOnInvalidUtf8('x*'); // false
 */
export function nativeSafeOnInvalidUtf8(pattern: string): boolean {
  const anchored = new RE2(pattern, 'uy');
  for (const before of ['', 'a', ' ', '\n']) {
    const probe = Buffer.concat([Buffer.from(before), Buffer.from([0xff])]);
    anchored.lastIndex = probe.length - 1;
    if (anchored.exec(probe) !== null) return false;
  }
  return true;
}

/**
 * Length of the UTF-8 character starting at `i`, or 1 for a byte that does not start a valid one, so
 * that stepping over an empty match never skips bytes RE2 could still match.
 */
function charLengthAt(buf: Buffer, i: number): number {
  const b = buf[i] as number;
  let n: number;
  if (b < 0x80) return 1;
  else if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) n = 3;
  else if (b >= 0xf0 && b <= 0xf4) n = 4;
  else return 1;
  if (i + n > buf.length) return 1;
  for (let k = 1; k < n; k++) {
    const c = buf[i + k] as number;
    if (c < 0x80 || c > 0xbf) return 1;
  }
  return n;
}

/**
 * Apply one rule to every match in `input`, Python `re.sub` style (all non-overlapping matches, left
 * to right; an empty match right after a previous match is replaced too, as in Python 3.7+ and
 * JavaScript). Bytes that are not valid UTF-8 are never part of a match and are kept as they are.
 * With `scratch`, the output may live in scratch memory: copy it before handing it out. `threshold`
 * is the match count above which the native path takes over (tests lower it to compare both paths).
 *
 * @example
 * const { output, count } = runRule(rule, Buffer.from('ssn 123-45-6789'));
 */
export function runRule(
  rule: CompiledRule,
  input: Buffer,
  scratch?: TransformScratch,
  threshold = nativeReplaceThreshold(input.length),
): RuleRun {
  const { re, replacement } = rule;
  const pieces: Buffer[] = [];
  let copied = 0;
  let count = 0;
  re.lastIndex = 0;
  try {
    for (;;) {
      const m = re.exec(input);
      if (m === null) break;
      count++;
      // node-re2's native loop steps over empty matches assuming valid UTF-8; input that is not stays
      // on this loop unless the pattern cannot match empty there (checked once, at the threshold).
      if (count === threshold + 1 && (rule.nativeSafeOnInvalid || isUtf8(input)))
        return runNative(rule, input);
      const start = m.index;
      const whole = m[0];
      const end = start + whole.length;
      if (start > copied) pieces.push(input.subarray(copied, start));
      if (replacement.constant !== undefined) {
        if (replacement.constant.length > 0) pieces.push(replacement.constant);
      } else {
        const groups = m as unknown as ArrayLike<Buffer | undefined>;
        expandReplacement(
          replacement,
          (g) => groups[g],
          (name) => m.groups?.[name],
          pieces,
        );
      }
      copied = end;
      if (whole.length === 0) {
        if (start >= input.length) break;
        re.lastIndex = start + charLengthAt(input, start);
      }
    }
  } finally {
    re.lastIndex = 0;
  }
  if (count === 0) return { output: input, count: 0 };
  if (copied < input.length) pieces.push(input.subarray(copied));
  return { output: join(pieces, input, scratch), count };
}

/** Concatenate `pieces`, into scratch memory when there is some for this size. */
function join(pieces: readonly Buffer[], input: Buffer, scratch: TransformScratch | undefined): Buffer {
  let size = 0;
  for (const p of pieces) size += p.length;
  const target = scratch?.acquire(size, input);
  if (target === undefined) return Buffer.concat(pieces, size);
  let at = 0;
  for (const p of pieces) at += p.copy(target, at);
  return target;
}

function runNative(rule: CompiledRule, input: Buffer): RuleRun {
  const { re } = rule;
  re.lastIndex = 0;
  const output = re.replace(input, rule.nativeTemplate);
  // Appending one byte after every match makes the count fall out of the length difference.
  const marked = re.replace(input, '$&\u0001');
  re.lastIndex = 0;
  return { output, count: marked.length - input.length };
}
