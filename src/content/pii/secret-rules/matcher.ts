import RE2 from 're2';
import { keepNonOverlapping, longerFirst } from '../detectors/spans.js';
import { shannonEntropy } from './entropy.js';
import { hasUnboundedRepeat } from './pattern-bounds.js';
import { Utf8Offsets } from './utf8-offsets.js';
import type { GlobalSecretAllowlistSpec, SecretAllowlistSpec, SecretRuleSpec } from './types.js';

/** A secret found in a text: UTF-16 offsets of the secret itself (not of the surrounding `key = "…"`). */
export interface SecretMatch {
  readonly ruleId: string;
  readonly start: number;
  readonly end: number;
}

type RegexSet = InstanceType<typeof RE2.Set>;

function regexSet(patterns: readonly string[]): RegexSet | undefined {
  return patterns.length > 0 ? new RE2.Set(patterns) : undefined;
}

interface CompiledAllowlist {
  readonly spec: SecretAllowlistSpec;
  /** All of the allowlist's regexes in one automaton: one call per finding instead of one per regex. */
  readonly regexes: RegexSet | undefined;
}

interface RuleSlot {
  readonly spec: SecretRuleSpec;
  readonly order: number;
  /** The pattern can match arbitrarily long text, so it always runs on the whole text. */
  readonly unbounded: boolean;
  /** Sticky anchor checks by lower-case keyword (see SecretRuleSpec.anchorChecks). */
  readonly checks: ReadonlyMap<string, RegExp> | undefined;
  /** Compiled on first use: most bodies never contain most rules' keywords. */
  compiled?: { re: RE2; allowlists: readonly CompiledAllowlist[] };
}

function compileChecks(spec: SecretRuleSpec): ReadonlyMap<string, RegExp> | undefined {
  if (spec.anchorChecks === undefined) return undefined;
  const out = new Map<string, RegExp>();
  for (const [keyword, check] of Object.entries(spec.anchorChecks)) {
    out.set(keyword.toLowerCase(), new RegExp(check.source, check.flags.replace(/[gy]/g, '') + 'y'));
  }
  return out;
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

function lineAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const to = text.indexOf('\n', end);
  return text.slice(from, to === -1 ? text.length : to);
}

function hasDigit(s: string): boolean {
  return /\d/.test(s);
}

/**
 * Runs a set of gitleaks-style secret rules over text with RE2, the way gitleaks does: a rule runs only
 * if the text contains one of its keywords (found for all rules in one pass of an RE2.Set), the secret
 * must exceed the rule's entropy threshold, and rule and global allowlists drop known non-secrets.
 * Overlapping matches of different rules are resolved in favour of the longer secret, then the rule
 * listed first.
 *
 * @example
 * const m = new SecretRuleMatcher([{ id: 'demo', description: 'demo', regex: 'demo_[a-z0-9]{8}', keywords: ['demo_'] }]);
 * m.find('token demo_a1b2c3d4'); // [{ ruleId: 'demo', start: 6, end: 19 }]
 */
export class SecretRuleMatcher {
  private readonly slots: readonly RuleSlot[];
  /** One automaton over every keyword; `match` says which keywords occur, in a single pass. */
  private readonly keywordSet: InstanceType<typeof RE2.Set> | undefined;
  /** Keyword index in the set → the keyword and the rules it enables. */
  private readonly keywords: string[] = [];
  private readonly rulesByKeyword: RuleSlot[][] = [];
  private readonly globalRegexes: RegexSet | undefined;
  private readonly globalStopwords: readonly string[];

  /**
   * @param rules - rule specs; patterns are compiled with RE2 lazily, so a bad pattern throws on the
   *   first text containing its keyword. Rule sets shipped with declaw are compiled in tests.
   */
  constructor(
    rules: readonly SecretRuleSpec[],
    globalAllowlist: GlobalSecretAllowlistSpec = { regexes: [], stopwords: [] },
  ) {
    this.slots = rules.map((spec, order) => ({
      spec,
      order,
      unbounded: hasUnboundedRepeat(spec.regex),
      checks: compileChecks(spec),
    }));
    const index = new Map<string, number>();
    for (const slot of this.slots) {
      for (const kw of slot.spec.keywords) {
        const key = kw.toLowerCase();
        let i = index.get(key);
        if (i === undefined) {
          i = index.size;
          index.set(key, i);
          this.keywords.push(key);
          this.rulesByKeyword.push([]);
        }
        (this.rulesByKeyword[i] as RuleSlot[]).push(slot);
      }
    }
    this.keywordSet = index.size > 0 ? new RE2.Set([...index.keys()].map(escapeLiteral), 'i') : undefined;
    this.globalRegexes = regexSet(globalAllowlist.regexes);
    this.globalStopwords = globalAllowlist.stopwords.map((w) => w.toLowerCase());
  }

  /** Number of rules in the set. */
  get size(): number {
    return this.slots.length;
  }

  /** Ids of the rules in the set, in priority order. */
  get ruleIds(): readonly string[] {
    return this.slots.map((s) => s.spec.id);
  }

  /** Secrets in `text`, sorted by start and non-overlapping. */
  find(text: string): SecretMatch[] {
    if (!this.keywordSet || text.length === 0) return [];
    // Encode once: RE2 works on UTF-8, and handing it the string would re-encode it for every rule.
    const buf = Buffer.from(text, 'utf8');
    const present = this.keywordSet.match(buf);
    if (present.length === 0) return [];
    const hits = this.keywordHits(text, buf, present);
    const offsets = new Utf8Offsets(text, buf);
    const candidates: Array<SecretMatch & { order: number }> = [];
    for (const [slot, positions] of [...hits].sort((x, y) => x[0].order - y[0].order)) {
      for (const m of this.runRuleNear(slot, text, buf, offsets, positions)) {
        candidates.push({ ...m, order: slot.order });
      }
    }
    return pickNonOverlapping(candidates);
  }

  /**
   * Byte offsets of the occurrences of the present keywords, grouped by the rules they enable; `null`
   * for a rule whose keywords are so frequent that its windows would cover the whole text anyway.
   * Occurrences that fail a rule's anchor check do not count for that rule, and a rule left without
   * any occurrence does not run at all.
   */
  private keywordHits(text: string, buf: Buffer, present: readonly number[]): Map<RuleSlot, number[] | null> {
    // Offsets in `lower` must be byte offsets in `buf`. Pure-ASCII text (as long as its UTF-8) already
    // has that property; otherwise Latin-1 decoding maps each byte to one character and lower-casing
    // keeps the mapping 1:1. Keywords are ASCII.
    const ascii = buf.length === text.length;
    const lower = ascii ? text.toLowerCase() : buf.toString('latin1').toLowerCase();
    const limit = Math.ceil(buf.length / (WINDOW_BEFORE + WINDOW_AFTER));
    const byRule = new Map<RuleSlot, number[] | null>();
    const add = (slot: RuleSlot, positions: number[] | null): void => {
      const list = byRule.get(slot);
      if (list === null) return;
      if (positions === null || slot.unbounded || (list && list.length + positions.length > limit))
        byRule.set(slot, null);
      else if (list) list.push(...positions);
      else byRule.set(slot, positions);
    };
    for (const k of present) {
      const keyword = this.keywords[k] as string;
      const slots = this.rulesByKeyword[k] ?? [];
      // Anchor checks apply to ASCII text only: there RE2's case folding and JavaScript's agree.
      const checked = ascii ? slots.filter((s) => s.checks?.has(keyword)) : [];
      const plain = checked.length === 0 ? slots : slots.filter((s) => !checked.includes(s));
      let positions: number[] | null = plain.length > 0 ? [] : null;
      const passed = checked.map((): number[] | null => []);
      for (let at = lower.indexOf(keyword); at !== -1; at = lower.indexOf(keyword, at + 1)) {
        if (positions !== null && positions.length >= limit) {
          positions = null;
          if (checked.length === 0) break;
        }
        positions?.push(at);
        for (let c = 0; c < checked.length; c++) {
          const list = passed[c];
          if (list === null || list === undefined) continue;
          const check = (checked[c] as RuleSlot).checks?.get(keyword) as RegExp;
          check.lastIndex = at;
          if (!check.test(text)) continue;
          if (list.length >= limit) passed[c] = null;
          else list.push(at);
        }
      }
      for (const slot of plain) add(slot, positions === null ? null : positions.slice());
      checked.forEach((slot, c) => {
        const list = passed[c];
        if (list === null || (list !== undefined && list.length > 0)) add(slot, list ?? null);
      });
    }
    return byRule;
  }

  /**
   * Runs a rule on windows around its keyword occurrences rather than the whole text: most rules'
   * keywords are rare, so most rules then cost almost nothing. Only rules whose matches are bounded
   * in length are windowed (see {@link hasUnboundedRepeat}); a match touching a window edge could
   * still see a false word boundary, so then the rule runs on the whole text, as gitleaks would.
   */
  private runRuleNear(
    slot: RuleSlot,
    text: string,
    buf: Buffer,
    offsets: Utf8Offsets,
    positions: number[] | null,
  ): SecretMatch[] {
    const windows: Array<[number, number]> =
      positions === null ? [[0, buf.length]] : mergeWindows(buf, positions);
    const out: SecretMatch[] = [];
    for (const [from, to] of windows) {
      const found = this.runRule(slot, text, buf, offsets, from, to);
      if (found === 'edge') return this.runRule(slot, text, buf, offsets, 0, buf.length) as SecretMatch[];
      out.push(...found);
    }
    return out;
  }

  /** Compiles every rule now; throws if one does not compile (used by tests and at startup checks). */
  compileAll(): void {
    for (const slot of this.slots) this.compiled(slot);
  }

  private compiled(slot: RuleSlot): NonNullable<RuleSlot['compiled']> {
    if (!slot.compiled) {
      slot.compiled = {
        re: new RE2(slot.spec.regex, 'gd'),
        allowlists: (slot.spec.allowlists ?? []).map((spec) => ({
          spec,
          regexes: regexSet(spec.regexes),
        })),
      };
    }
    return slot.compiled;
  }

  /** Matches of one rule in bytes `[from, to)` of `buf`, or `'edge'` if one touches a window edge. */
  private runRule(
    slot: RuleSlot,
    text: string,
    buf: Buffer,
    offsets: Utf8Offsets,
    from: number,
    to: number,
  ): SecretMatch[] | 'edge' {
    const { re, allowlists } = this.compiled(slot);
    const spec = slot.spec;
    const input = from === 0 && to === buf.length ? buf : buf.subarray(from, to);
    const out: SecretMatch[] = [];
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(input as unknown as string)) !== null) {
      const local = m.indices?.[0];
      if (!local) break;
      if (local[1] === local[0]) {
        re.lastIndex = local[1] + 1;
        continue;
      }
      if ((local[0] === 0 && from > 0) || (local[1] === input.length && to < buf.length)) return 'edge';
      const wholeBytes: [number, number] = [local[0] + from, local[1] + from];
      const localSpan = secretSpan(m, spec.secretGroup) ?? local;
      const start = offsets.toUtf16(localSpan[0] + from);
      const end = offsets.toUtf16(localSpan[1] + from);
      const secret = text.slice(start, end);
      if (secret.length === 0) continue;
      if (spec.entropy !== undefined) {
        if (shannonEntropy(secret) <= spec.entropy) continue;
        // gitleaks' rule for its generic patterns: a secret without a digit is almost always a word.
        if (spec.id.startsWith('generic') && !hasDigit(secret)) continue;
      }
      if (this.globallyAllowed(secret)) continue;
      if (allowlists.length > 0) {
        const whole: [number, number] = [offsets.toUtf16(wholeBytes[0]), offsets.toUtf16(wholeBytes[1])];
        if (allowlists.some((a) => allowedBy(a, secret, text, whole))) continue;
      }
      out.push({ ruleId: spec.id, start, end });
    }
    return out;
  }

  private globallyAllowed(secret: string): boolean {
    if (this.globalRegexes?.test(secret)) return true;
    if (this.globalStopwords.length === 0) return false;
    const lower = secret.toLowerCase();
    return this.globalStopwords.some((w) => lower.includes(w));
  }
}

/** Bytes before and after a keyword occurrence that a rule's match is searched in. */
const WINDOW_BEFORE = 512;
const WINDOW_AFTER = 4096;

/** Merged byte windows around keyword positions, widened to whole UTF-8 characters. */
function mergeWindows(buf: Buffer, positions: number[]): Array<[number, number]> {
  positions.sort((a, b) => a - b);
  const windows: Array<[number, number]> = [];
  for (const p of positions) {
    let from = Math.max(0, p - WINDOW_BEFORE);
    let to = Math.min(buf.length, p + WINDOW_AFTER);
    while (from > 0 && ((buf[from] as number) & 0xc0) === 0x80) from--;
    while (to < buf.length && ((buf[to] as number) & 0xc0) === 0x80) to++;
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

function secretSpan(m: RegExpExecArray, secretGroup: number | undefined): [number, number] | undefined {
  const indices = m.indices;
  if (!indices) return undefined;
  if (secretGroup !== undefined) return indices[secretGroup];
  for (let g = 1; g < indices.length; g++) {
    const span = indices[g];
    if (span && span[1] > span[0]) return span;
  }
  return undefined;
}

function allowedBy(allow: CompiledAllowlist, secret: string, text: string, whole: [number, number]): boolean {
  const { spec, regexes } = allow;
  const target =
    spec.target === 'secret'
      ? secret
      : spec.target === 'match'
        ? text.slice(whole[0], whole[1])
        : lineAround(text, whole[0], whole[1]);
  const regexHit = regexes !== undefined && regexes.test(target);
  const lower = spec.stopwords.length > 0 ? secret.toLowerCase() : '';
  const stopHit = spec.stopwords.length > 0 && spec.stopwords.some((w) => lower.includes(w));
  if (spec.condition === 'AND') {
    return (regexes === undefined || regexHit) && (spec.stopwords.length === 0 || stopHit);
  }
  return regexHit || stopHit;
}

function pickNonOverlapping(candidates: Array<SecretMatch & { order: number }>): SecretMatch[] {
  const kept = keepNonOverlapping(candidates, (a, b) => longerFirst(a, b) || a.order - b.order);
  return kept.map((c) => ({ ruleId: c.ruleId, start: c.start, end: c.end }));
}
