/**
 * Masking of secret-looking environment variables (seed 000's `EnvSecurityConfig.mask_patterns`):
 * variables whose names match a glob such as `*_KEY` have their values shown as `****` in everything
 * declaw prints or records (command output, audit entries, sandbox info).
 */

/** What a masked value is shown as. */
export const MASK = '****';

/** A compiled set of name globs. */
export interface MaskMatcher {
  /** True when the variable name matches one of the globs (names compare upper-case). */
  matches(name: string): boolean;
}

/**
 * Compiles `mask_patterns` globs: `*` is any run of characters, `?` one character; whole-name match,
 * case-insensitive (the policy upper-cases patterns; env names are usually upper case already).
 *
 * @example
 * compileMaskPatterns(['*_KEY']).matches('OPENAI_API_KEY'); // true
 * compileMaskPatterns(['*_KEY']).matches('KEYBOARD');       // false
 */
export function compileMaskPatterns(patterns: readonly string[]): MaskMatcher {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .toUpperCase()
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        's',
      ),
  );
  return { matches: (name) => res.some((re) => re.test(name.toUpperCase())) };
}

/**
 * A copy of `env` with the value of every matching variable replaced by `****`.
 *
 * @example
 * maskEnv({ OPENAI_API_KEY: 'sk-1', HOME: '/root' }, ['*_KEY']); // { OPENAI_API_KEY: '****', HOME: '/root' }
 */
export function maskEnv(
  env: Readonly<Record<string, string | undefined>>,
  patterns: readonly string[],
): Record<string, string> {
  const m = compileMaskPatterns(patterns);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = m.matches(k) ? MASK : v;
  return out;
}

/**
 * Replaces every occurrence of the values of masked variables in `text` (command output, a log line)
 * with `****`. Longer values are replaced first, so a value containing another is masked whole.
 * Empty values are ignored.
 *
 * @example
 * maskSecretValues('token is sk-1', { OPENAI_API_KEY: 'sk-1' }, ['*_KEY']); // 'token is ****'
 */
export function maskSecretValues(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  patterns: readonly string[],
): string {
  const m = compileMaskPatterns(patterns);
  const values = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '' && m.matches(e[0]))
    .map(([, v]) => v)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) out = out.split(v).join(MASK);
  return out;
}
