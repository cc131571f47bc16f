import { createHash } from 'node:crypto';
import type { SecretRuleSpec } from './types.js';

/**
 * Cheap necessary conditions at the keyword occurrences of the few built-in rules whose keywords are
 * ordinary words or word pieces: gitleaks' JWT rule runs on "ey" (in "key", "they", "money"), its
 * generic rule on "key", "token", "api", …, and its Vault rule on "s." (every plural before a full
 * stop). Without these, those rules would find their keyword in almost every body and each would run
 * over the whole text.
 *
 * A check is a JavaScript pattern tested sticky at an occurrence, in the text as written. It states
 * only what the rule's own regex requires around that keyword, so an occurrence that fails it cannot
 * be part of any match: the check removes work, never findings (a property test compares results
 * with and without checks). Checks are written against one exact rule regex and are attached only
 * while the shipped rule still has that regex (compared by hash: regenerating the gitleaks module with
 * a changed pattern drops its checks until they are reviewed).
 */
interface AnchorCheckEntry {
  /** First 16 hex digits of the SHA-256 of the rule regex the checks were derived from. */
  readonly regexSha256: string;
  /** Keyword → pattern that must match at each occurrence of the keyword that can be part of a match. */
  readonly checks: (rule: SecretRuleSpec) => Readonly<Record<string, RegExp>>;
}

// generic-api-key: after its keyword come at most 20 name characters, at most 3 quotes or spaces, then
// an assignment operator (`=`, `>`, `:`, `:=`, `||`, `=>`, `?=`, `,`). JavaScript's \s is wider than
// RE2's, which keeps the check a necessary condition. The rule's keywords are exactly the names its
// regex alternates over (access, api, auth, credential, creds, key, passwd, password, secret, token).
const genericCheck = (keyword: string): RegExp =>
  new RegExp(`${keyword}[ \\t\\w.-]{0,20}[\\s'"]{0,3}[=>:|?,]`, 'i');

const ENTRIES: ReadonlyMap<string, AnchorCheckEntry> = new Map([
  [
    'generic-api-key',
    {
      regexSha256: '7495022a38032a23',
      checks: (rule) => Object.fromEntries(rule.keywords.map((k) => [k, genericCheck(k)])),
    },
  ],
  [
    // `\b(ey[a-zA-Z0-9]{17,}\.ey…`: a lower-case "ey" at a word start and 17 more letters or digits.
    'jwt',
    {
      regexSha256: '036058eec082c25c',
      checks: () => ({ ey: /(?<!\w)ey[a-zA-Z0-9]{17}/ }),
    },
  ],
  [
    // `\b((?:hvs\.[\w-]{90,120}|s\.(?i:[a-z0-9]{24})))`: both forms start a word, in lower case.
    'vault-service-token',
    {
      regexSha256: 'a91e92937b1b6af2',
      checks: () => ({ 'hvs.': /(?<!\w)hvs\.[\w-]{90}/, 's.': /(?<!\w)s\.[a-zA-Z0-9]{24}/ }),
    },
  ],
]);

/**
 * The rule with its anchor checks attached, when it is one of the built-in rules they were written
 * for (same id and the very same regex); otherwise the rule unchanged.
 *
 * @example
 * const jwt = withAnchorChecks(GITLEAKS_RULES.find((r) => r.id === 'jwt')!);
 * jwt.anchorChecks?.ey; // /(?<!\w)ey[a-zA-Z0-9]{17}/
 */
export function withAnchorChecks(rule: SecretRuleSpec): SecretRuleSpec {
  const entry = ENTRIES.get(rule.id);
  if (entry === undefined || rule.anchorChecks !== undefined) return rule;
  if (createHash('sha256').update(rule.regex).digest('hex').slice(0, 16) !== entry.regexSha256) return rule;
  return { ...rule, anchorChecks: entry.checks(rule) };
}

/** Ids of the rules that have anchor checks (for tests and docs). */
export const ANCHOR_CHECKED_RULE_IDS: readonly string[] = [...ENTRIES.keys()];
