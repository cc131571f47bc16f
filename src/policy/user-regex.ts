import RE2 from 're2';

/** Longest pattern accepted in a policy; longer ones are almost always pasted data, not a rule. */
export const MAX_USER_PATTERN_LENGTH = 4096;

/** A user-supplied pattern compiled with RE2 (linear time, no backtracking). */
export interface CompiledUserRegex {
  /** The compiled expression, global and Unicode-aware. */
  readonly re: RE2;
  /** Number of capture groups, so `\3` in a replacement can be checked against it. */
  readonly groupCount: number;
  /** Names of `(?P<name>...)` groups. */
  readonly groupNames: readonly string[];
}

/** Why a pattern was refused, with a concrete fix. */
export class UserRegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'UserRegexSyntaxError';
  }
}

function hintFor(reason: string, pattern: string): string {
  if (
    /\(\?<?[=!]/.test(pattern) ||
    reason.includes('(?=') ||
    reason.includes('(?!') ||
    reason.includes('(?<')
  ) {
    return 'RE2 has no lookahead or lookbehind; capture the surrounding text instead and put it back with \\1 in replace';
  }
  if (/invalid escape sequence: \\[1-9]/.test(reason)) {
    return 'RE2 has no backreferences inside match; backreferences (\\1, \\2) are allowed only in replace';
  }
  if (reason.includes('repetition')) {
    return 'a repetition count is invalid or over 1000; use a smaller bound or + / *';
  }
  return 'patterns use RE2 (Go regexp) syntax; test them at regex101.com with the Go flavour';
}

/**
 * Compile a pattern from a policy (transformation `match`, `~regex` domain) with RE2, the engine the
 * seeds specify. Python-style syntax that RE2 shares (`(?i)`, `(?P<name>...)`, `\d`, `\b`, `\uXXXX`,
 * `\p{L}`) works; constructs RE2 cannot run in linear time are refused with a hint.
 *
 * @throws {UserRegexSyntaxError} when RE2 cannot compile the pattern.
 * @example
 * const { re } = compileUserRegex('(?i)ignore\\s+previous');
 * 'IGNORE  previous'.replace(re, 'x'); // 'x'
 */
export function compileUserRegex(pattern: string): CompiledUserRegex {
  if (pattern.length === 0) {
    throw new UserRegexSyntaxError(
      'pattern is empty',
      'an empty pattern matches everywhere; write what to match',
    );
  }
  if (pattern.length > MAX_USER_PATTERN_LENGTH) {
    throw new UserRegexSyntaxError(
      `pattern is ${pattern.length} characters long (limit ${MAX_USER_PATTERN_LENGTH})`,
      'split it into several rules',
    );
  }
  let re: RE2;
  try {
    re = new RE2(pattern, 'gu');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserRegexSyntaxError(`RE2 cannot compile this pattern: ${reason}`, hintFor(reason, pattern));
  }
  // An alternation with the empty string always matches "", and the match array then has one slot per group.
  const probe = new RE2(`(?:${pattern})|`, 'u').exec('');
  const groupCount = probe ? probe.length - 1 : 0;
  const groupNames = probe?.groups ? Object.keys(probe.groups) : [];
  return { re, groupCount, groupNames };
}
