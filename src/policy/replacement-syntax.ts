/**
 * The replacement language of transformation rules: Python `re.sub` style, because the seeds write
 * rules as Python raw strings. `\1`..`\99` and `\g<1>`/`\g<name>` insert groups; `\\`, `\n`, `\r`, `\t`
 * are escapes; everything else, `$` included, is literal text.
 */
export type ReplacementPart = { kind: 'text'; text: string } | { kind: 'group'; ref: number | string };

/** A problem in a replacement string, with its fix. */
export interface ReplacementProblem {
  message: string;
  hint: string;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', n: '\n', r: '\r', t: '\t' };

/**
 * Split a replacement into literal text and group references.
 *
 * @throws {Error} (message = the problem) on a dangling or unknown escape.
 * @example
 * parseReplacement('\\1[REDACTED]') // [{kind:'group',ref:1},{kind:'text',text:'[REDACTED]'}]
 */
export function parseReplacement(replace: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < replace.length; i++) {
    const c = replace[i] as string;
    if (c !== '\\') {
      text += c;
      continue;
    }
    const next = replace[i + 1];
    if (next === undefined) throw new Error('replace ends with a lone backslash');
    if (next >= '0' && next <= '9') {
      const two = /^\d{1,2}/.exec(replace.slice(i + 1))?.[0] as string;
      flush();
      parts.push({ kind: 'group', ref: Number(two) });
      i += two.length;
    } else if (next === 'g') {
      const m = /^g<([A-Za-z_][A-Za-z0-9_]*|\d+)>/.exec(replace.slice(i + 1));
      if (!m) throw new Error('\\g must be followed by <number> or <name>');
      flush();
      const ref = m[1] as string;
      parts.push({ kind: 'group', ref: /^\d+$/.test(ref) ? Number(ref) : ref });
      i += m[0].length;
    } else if (ESCAPES[next] !== undefined) {
      text += ESCAPES[next];
      i += 1;
    } else {
      throw new Error(`unknown escape \\${next} in replace`);
    }
  }
  flush();
  return parts;
}

/**
 * Check a replacement against the groups its pattern has. Returns the problem, or undefined when valid.
 */
export function checkReplacement(
  replace: string,
  groups: { groupCount: number; groupNames: readonly string[] },
): ReplacementProblem | undefined {
  let parts: ReplacementPart[];
  try {
    parts = parseReplacement(replace);
  } catch (err) {
    return {
      message: (err as Error).message,
      hint: 'write \\\\ for a literal backslash; group references are \\1 or \\g<name>',
    };
  }
  for (const p of parts) {
    if (p.kind !== 'group') continue;
    if (typeof p.ref === 'number' && p.ref > groups.groupCount) {
      return {
        message: `replace refers to group \\${p.ref} but match has ${groups.groupCount} group${groups.groupCount === 1 ? '' : 's'}`,
        hint: 'add a capturing group ( ) to match or fix the number',
      };
    }
    if (typeof p.ref === 'string' && !groups.groupNames.includes(p.ref)) {
      return {
        message: `replace refers to group \\g<${p.ref}> but match has no group of that name`,
        hint: groups.groupNames.length
          ? `named groups in match: ${groups.groupNames.join(', ')}`
          : 'name a group in match with (?P<name>...)',
      };
    }
  }
  return undefined;
}
