import { z } from 'zod';
import { didYouMean, suggestion } from '../did-you-mean.js';
import { NetworkEntryError, parseNetworkEntry } from '../network-entry.js';

/**
 * Marks a field name inside a message, so the error printer can show it in the face the user wrote
 * (`rehydrate_response` in a policy file, `rehydrateResponse` from TypeScript). Dotted paths allowed.
 */
export function field(name: string): string {
  return `\u27e8${name}\u27e9`;
}

/**
 * A strict object: unknown keys are refused, with the closest known key suggested. Every object of the
 * policy uses this, so a typo (`rehydrate_responce`) never silently disables a protection.
 */
export function strictSection<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const keys = (iss as { keys: string[] }).keys;
        const named = keys.map((k) => {
          const near = didYouMean(k, known);
          return near ? `"${field(k)}" (did you mean "${field(near)}"?)` : `"${field(k)}"`;
        });
        return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}; known fields: ${known.map(field).join(', ')}`;
      }
      if (iss.code === 'invalid_type' && iss.expected === 'object') {
        return `expected an object with the fields ${known.map(field).join(', ')}`;
      }
      return undefined;
    },
  });
}

/** A closed set of strings, with a did-you-mean on a typo. */
export function choice<const T extends readonly [string, ...string[]]>(values: T, noun: string) {
  return z.enum(values, {
    error: (iss) =>
      typeof iss.input === 'string'
        ? `unknown ${noun} "${iss.input}"; ${suggestion(iss.input, values)}`
        : `expected one of ${values.join(', ')}`,
  });
}

/** Adds a custom issue carrying a hint the error printer shows as "(hint)". */
export function addIssue(
  ctx: z.core.$RefinementCtx,
  message: string,
  hint?: string,
  path?: PropertyKey[],
): void {
  ctx.addIssue({ code: 'custom', message, path, params: hint ? { hint } : undefined });
}

/** A list of host patterns (domain, `*.domain`, `~regex`), normalised; no IPs. Empty means "all hosts". */
export const hostPatternList = z
  .array(z.string({ error: 'expected a host pattern string' }))
  .transform((list, ctx) => {
    const out: string[] = [];
    list.forEach((raw, i) => {
      try {
        const entry = parseNetworkEntry(raw, { allowIps: false });
        if (!out.includes(entry.text)) out.push(entry.text);
      } catch (err) {
        if (!(err instanceof NetworkEntryError)) throw err;
        addIssue(ctx, err.message, err.hint, [i]);
      }
    });
    return out;
  });

/** A list of network entries (IPs, CIDRs, host patterns), normalised and de-duplicated. */
export const networkEntryList = z
  .array(z.string({ error: 'expected an IP, CIDR or host pattern string' }))
  .transform((list, ctx) => {
    const out: string[] = [];
    list.forEach((raw, i) => {
      try {
        const entry = parseNetworkEntry(raw);
        if (!out.includes(entry.text)) out.push(entry.text);
      } catch (err) {
        if (!(err instanceof NetworkEntryError)) throw err;
        addIssue(ctx, err.message, err.hint, [i]);
      }
    });
    return out;
  });
