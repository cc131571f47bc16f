/**
 * Shannon entropy of a string in bits per character (code point), the measure gitleaks thresholds its
 * rules with: random tokens score high (a 40-character base62 key is around 5), words and repeated
 * characters low.
 *
 * @example
 * shannonEntropy('aaaa'); // 0
 * shannonEntropy('ab'); // 1
 */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  let total = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    counts.set(cp, (counts.get(cp) ?? 0) + 1);
    total++;
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}
