/** Repetition counts above this are treated like `*`: a match could outgrow any keyword window. */
const LONG_REPEAT = 1000;

/**
 * Whether an RE2 pattern can match arbitrarily long text: it has `*`, `+` or `{n,}` (or a huge
 * `{m,n}`) outside a character class. Such rules cannot be run on a window around their keyword,
 * because a match reaching past the window would simply not be found there.
 *
 * @example
 * hasUnboundedRepeat('ghp_[0-9a-zA-Z]{36}'); // false
 * hasUnboundedRepeat('-----BEGIN[\\s\\S-]{64,}?KEY-----'); // true
 */
export function hasUnboundedRepeat(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++; // escaped character (also inside classes)
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        if (close !== -1) i = close + 1; // [:alnum:]
      } else if (c === ']') {
        inClass = false;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++; // a literal ] first in the class
      continue;
    }
    if (c === '*' || c === '+') return true;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 16));
      if (!m) continue;
      if (m[2] !== undefined && (m[3] === '' || Number(m[3]) > LONG_REPEAT)) return true;
      if (Number(m[1]) > LONG_REPEAT) return true;
    }
  }
  return false;
}
