/**
 * The replacement language of transformation rules. Seed 002 writes rules as Python raw strings and
 * says `replace` supports `\1`, `\2`, so `replace` follows Python's `re.sub` template rules:
 *
 * - `\1`..`\99` and `\g<1>` insert a group, `\g<0>` the whole match, `\g<name>` a named group
 *   (`(?P<name>...)`); a group that did not take part in the match inserts nothing;
 * - `\\` is a backslash; `\n` `\r` `\t` `\a` `\b` `\f` `\v` are control characters; `\0`, `\012`
 *   (octal) a character by code;
 * - `\` before another ASCII letter is an error (Python reserves those), before anything else both
 *   characters are kept (`\-` stays `\-`);
 * - `$`, `$1`, `&` are plain text: this is not JavaScript's `String.replace` syntax.
 */

/** One piece of a parsed replacement. */
export type ReplacementPart =
  | { readonly kind: 'literal'; readonly text: string; readonly bytes: Buffer }
  | { readonly kind: 'group'; readonly group: number }
  | { readonly kind: 'named'; readonly name: string };

/** A replacement checked against its pattern and ready to expand. */
export interface CompiledReplacement {
  /** The replacement as written in the policy. */
  readonly source: string;
  /** Literal text and group references, in order; adjacent literals are merged. */
  readonly parts: readonly ReplacementPart[];
  /** The UTF-8 bytes every match is replaced with, when the replacement refers to no group. */
  readonly constant: Buffer | undefined;
}

/** What the pattern offers to refer to; {@link compileUserRegex} returns exactly this. */
export interface ReplacementGroups {
  /** Number of capturing groups in `match`. */
  readonly groupCount: number;
  /** Names of the `(?P<name>...)` groups in `match`. */
  readonly groupNames: readonly string[];
}

/** A problem in a replacement string: what is wrong and how to fix it. */
export interface ReplacementProblem {
  readonly message: string;
  readonly hint: string;
}

/** Why a replacement was refused; `hint` says how to fix it, `position` where (UTF-16 index). */
export class ReplacementSyntaxError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'ReplacementSyntaxError';
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const ESCAPE_LIST = '\\\\ \\n \\r \\t, \\1..\\99, \\g<name>';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isAsciiLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);

function plural(n: number): string {
  return `${n} group${n === 1 ? '' : 's'}`;
}

/**
 * Parse a replacement and check every group reference against the pattern's groups.
 *
 * @throws {ReplacementSyntaxError} with a `hint` when the replacement is malformed or refers to a
 *   group the pattern does not have (e.g. "replace refers to group \3 but match has 2 groups").
 * @example
 * const r = parseReplacement(String.raw`\1[PASSWORD]\2`, { groupCount: 2, groupNames: [] });
 * r.parts; // [{kind:'group',group:1}, {kind:'literal',text:'[PASSWORD]',...}, {kind:'group',group:2}]
 */
export function parseReplacement(replace: string, groups: ReplacementGroups): CompiledReplacement {
  const parts: ReplacementPart[] = [];
  let text = '';
  const flush = (): void => {
    if (text) parts.push({ kind: 'literal', text, bytes: Buffer.from(text, 'utf8') });
    text = '';
  };
  const addGroup = (group: number, at: number, written: string): void => {
    if (group > groups.groupCount) {
      const twoDigits = /^\\[1-9]\d$/.test(written);
      const first = Number(written[1]);
      const hint =
        twoDigits && first <= groups.groupCount
          ? `to put group ${first} before a literal ${written[2]}, write \\g<${first}>${written[2]}`
          : groups.groupCount === 0
            ? 'add a capturing group ( ) to match, or write \\\\ for a literal backslash'
            : `match has groups 1..${groups.groupCount}; add a capturing group ( ) or fix the number`;
      throw new ReplacementSyntaxError(
        `replace refers to group ${written} but match has ${plural(groups.groupCount)}`,
        hint,
        at,
      );
    }
    flush();
    parts.push({ kind: 'group', group });
  };

  let i = 0;
  while (i < replace.length) {
    const c = replace[i] as string;
    if (c !== '\\') {
      text += c;
      i += 1;
      continue;
    }
    const at = i;
    const next = replace[i + 1];
    if (next === undefined) {
      throw new ReplacementSyntaxError(
        'replace ends with a lone backslash',
        'write \\\\ for a literal backslash',
        at,
      );
    }
    if (next === 'g') {
      i = parseNamedReference(replace, at, groups, addGroup, (name) => {
        flush();
        parts.push({ kind: 'named', name });
      });
    } else if (next === '0') {
      // Octal character escape, as in Python: \0, \01, \012.
      let j = i + 2;
      while (j < i + 4 && isOctal(replace[j])) j++;
      text += String.fromCharCode(parseInt(replace.slice(i + 1, j), 8));
      i = j;
    } else if (isDigit(next)) {
      const d2 = replace[i + 2];
      const d3 = replace[i + 3];
      if (isDigit(d2) && isOctal(next) && isOctal(d2) && isOctal(d3)) {
        const code = parseInt(replace.slice(i + 1, i + 4), 8);
        if (code > 0o377) {
          throw new ReplacementSyntaxError(
            `octal escape \\${replace.slice(i + 1, i + 4)} is outside the range \\000..\\377`,
            'write \\g<N> followed by the digits if you meant a group reference',
            at,
          );
        }
        text += String.fromCharCode(code);
        i += 4;
      } else if (isDigit(d2)) {
        addGroup(Number(next + d2), at, `\\${next}${d2}`);
        i += 3;
      } else {
        addGroup(Number(next), at, `\\${next}`);
        i += 2;
      }
    } else if (SIMPLE_ESCAPES[next] !== undefined) {
      text += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (isAsciiLetter(next)) {
      throw new ReplacementSyntaxError(
        `bad escape \\${next} at position ${at} of replace`,
        `write \\\\${next} for a backslash followed by "${next}"; escapes in replace are ${ESCAPE_LIST}`,
        at,
      );
    } else {
      // Python keeps unknown non-letter escapes verbatim, backslash included.
      text += c + next;
      i += 2;
    }
  }
  flush();
  const only = parts[0];
  const constant =
    parts.length === 0
      ? Buffer.alloc(0)
      : parts.length === 1 && only?.kind === 'literal'
        ? only.bytes
        : undefined;
  return { source: replace, parts, constant };
}

/** Parses `\g<...>` starting at `at` (the backslash); returns the index after it. */
function parseNamedReference(
  replace: string,
  at: number,
  groups: ReplacementGroups,
  addGroup: (group: number, at: number, written: string) => void,
  addNamed: (name: string) => void,
): number {
  const syntax = 'a group reference is written \\g<1> or \\g<name>';
  if (replace[at + 2] !== '<') {
    throw new ReplacementSyntaxError(`\\g at position ${at} of replace is not followed by <`, syntax, at);
  }
  const close = replace.indexOf('>', at + 3);
  if (close < 0) {
    throw new ReplacementSyntaxError(`\\g< at position ${at} of replace has no closing >`, syntax, at);
  }
  const name = replace.slice(at + 3, close);
  const written = `\\g<${name}>`;
  if (name === '') {
    throw new ReplacementSyntaxError(`${written} at position ${at} of replace names no group`, syntax, at);
  }
  if (/^[0-9]+$/.test(name)) {
    addGroup(Number(name), at, written);
  } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    if (!groups.groupNames.includes(name)) {
      throw new ReplacementSyntaxError(
        `replace refers to group ${written} but match has no group named "${name}"`,
        groups.groupNames.length > 0
          ? `named groups in match: ${groups.groupNames.join(', ')}`
          : 'name a group in match with (?P<name>...)',
        at,
      );
    }
    addNamed(name);
  } else {
    throw new ReplacementSyntaxError(
      `bad character in group name "${name}" at position ${at} of replace`,
      'group names are letters, digits and _ and do not start with a digit',
      at,
    );
  }
  return close + 1;
}

/**
 * The problem with a replacement, or `undefined` when it is valid: the form a policy validator wants.
 *
 * @example
 * describeReplacementProblem(String.raw`\3`, { groupCount: 2, groupNames: [] })?.message;
 * // 'replace refers to group \3 but match has 2 groups'
 */
export function describeReplacementProblem(
  replace: string,
  groups: ReplacementGroups,
): ReplacementProblem | undefined {
  try {
    parseReplacement(replace, groups);
    return undefined;
  } catch (err) {
    if (err instanceof ReplacementSyntaxError) return { message: err.message, hint: err.hint };
    throw err;
  }
}

/**
 * Append the bytes one match is replaced with to `out`. `group(i)` returns the bytes of group `i`
 * (0 = whole match) or `undefined` when it did not take part; `named` does the same by name.
 *
 * @example
 * const out: Buffer[] = [];
 * expandReplacement(r, (i) => groupsOfThisMatch[i], (n) => namedOfThisMatch[n], out);
 * Buffer.concat(out);
 */
export function expandReplacement(
  replacement: CompiledReplacement,
  group: (index: number) => Buffer | undefined,
  named: (name: string) => Buffer | undefined,
  out: Buffer[],
): void {
  for (const part of replacement.parts) {
    let bytes: Buffer | undefined;
    if (part.kind === 'literal') bytes = part.bytes;
    else if (part.kind === 'group') bytes = group(part.group);
    else bytes = named(part.name);
    if (bytes !== undefined && bytes.length > 0) out.push(bytes);
  }
}
