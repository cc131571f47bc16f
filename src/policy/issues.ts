import type { z } from 'zod';
import type { PolicyIssue } from '../errors.js';

/** `['pii', 'types', 2]` → `$.pii.types[2]`. */
export function formatPath(
  path: readonly PropertyKey[],
  renameKey: (k: string) => string = (k) => k,
): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += `.${renameKey(seg)}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Replace the field markers of `field()` with the field names of the face the user wrote. */
export function renderFields(text: string, renameKey: (k: string) => string = (k) => k): string {
  return text.replace(/\u27e8([^\u27e9]+)\u27e9/g, (_m, name: string) =>
    name.split('.').map(renameKey).join('.'),
  );
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  return typeof input === 'object' ? 'an object' : `${typeof input} ${JSON.stringify(input)}`;
}

/**
 * Turn zod issues into {@link PolicyIssue}s: one per problem, with its JSON path and a hint. Unions
 * (the `true | {...}` shorthands) report the branch the input was meant for, not both.
 */
export function toPolicyIssues(
  issues: readonly z.core.$ZodIssue[],
  renameKey?: (k: string) => string,
  prefix: readonly PropertyKey[] = [],
): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'invalid_union') {
      const meant = iss.errors.filter(
        (branch) =>
          !(branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0),
      );
      if (meant.length === 1) {
        out.push(...toPolicyIssues(meant[0] as z.core.$ZodIssue[], renameKey, path));
        continue;
      }
    }
    let message = iss.message;
    if (iss.code === 'invalid_type' && /^Invalid input/.test(message)) {
      const got = 'input' in iss ? describeType(iss.input) : 'nothing';
      message = `expected ${iss.expected}, got ${got}`;
    }
    const hint = (iss as { params?: { hint?: string } }).params?.hint;
    out.push({
      path: formatPath(path, renameKey),
      message: renderFields(message, renameKey),
      ...(hint ? { hint: renderFields(hint, renameKey) } : {}),
    });
  }
  return out;
}
