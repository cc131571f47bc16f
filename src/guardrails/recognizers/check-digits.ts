/**
 * Check-digit schemes of the document numbers the pattern recognizers validate. Both use weights that
 * are coprime with 10, so every single mistyped digit changes the check digit.
 */

/**
 * ABA routing transit number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10), and
 * the first two digits in a range the Federal Reserve assigns (00–12, 21–32, 61–72, 80).
 *
 * @example
 * abaRoutingValid('021000021'); // true
 * abaRoutingValid('021000022'); // false
 */
export function abaRoutingValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const prefix = Number(digits.slice(0, 2));
  const assigned =
    prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  if (!assigned) return false;
  const d = (i: number) => digits.charCodeAt(i) - 48;
  const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8));
  return sum % 10 === 0;
}

/**
 * The ICAO 9303 check digit of a machine-readable-zone field: weights 7, 3, 1 repeating over the
 * values `0`–`9` → 0–9, `A`–`Z` → 10–35, `<` → 0; the sum modulo 10. Undefined for other characters.
 *
 * @example
 * mrzCheckDigit('L898902C3'); // 6
 */
export function mrzCheckDigit(field: string): number | undefined {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 65 && c <= 90) v = c - 55;
    else if (c === 60) v = 0;
    else return undefined;
    sum += v * (weights[i % 3] as number);
  }
  return sum % 10;
}

/** Whether `check` (a digit, or `<` standing for 0 on an empty field) is the check digit of `field`. */
export function mrzCheckMatches(field: string, check: string): boolean {
  const expected = mrzCheckDigit(field);
  if (expected === undefined) return false;
  if (check === '<') return expected === 0 && /^<*$/.test(field);
  return check.length === 1 && check.charCodeAt(0) - 48 === expected;
}
