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
  // Secrets are almost always ASCII: count in a small array instead of a Map (called once per match).
  const ascii = new Uint32Array(128);
  let isAscii = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) {
      isAscii = false;
      break;
    }
    ascii[c]!++;
  }
  if (isAscii) {
    let bits = 0;
    for (let c = 0; c < 128; c++) {
      const n = ascii[c]!;
      if (n === 0) continue;
      const p = n / value.length;
      bits -= p * Math.log2(p);
    }
    return bits;
  }
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
