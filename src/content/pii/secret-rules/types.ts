/**
 * The data shape of a secret-detection rule, as stored in the generated gitleaks module and in
 * declaw's own additions. Patterns are RE2 (Go regexp) syntax and must only ever be compiled with RE2:
 * gitleaks patterns use mid-pattern `(?i)` and POSIX classes that JavaScript RegExp rejects.
 */

/** Which text an allowlist regex is tested against, as in gitleaks' `regexTarget`. */
export type SecretAllowlistTarget = 'secret' | 'match' | 'line';

/**
 * A rule's exception list: a finding is dropped when an allowlist regex matches its target or the secret
 * contains a stopword. With `condition: 'AND'` both kinds must hit (gitleaks semantics).
 */
export interface SecretAllowlistSpec {
  readonly target: SecretAllowlistTarget;
  readonly regexes: readonly string[];
  /** Lower-case; matched case-insensitively as substrings of the secret. */
  readonly stopwords: readonly string[];
  readonly condition: 'OR' | 'AND';
}

/**
 * One secret rule.
 *
 * @example
 * const rule: SecretRuleSpec = {
 *   id: 'example-token',
 *   description: 'Example Corp API token',
 *   regex: '\\b(exm_[a-zA-Z0-9]{32})\\b',
 *   keywords: ['exm_'],
 *   entropy: 3,
 * };
 */
export interface SecretRuleSpec {
  /** Stable identifier, reported as `api_key:<id>` in findings. */
  readonly id: string;
  readonly description: string;
  /** RE2 pattern. The secret is `secretGroup`, else the first non-empty group, else the whole match. */
  readonly regex: string;
  /** Lower-case literals; the rule runs only on text that contains at least one (case-insensitively). */
  readonly keywords: readonly string[];
  /** Minimum Shannon entropy (bits per character) the secret must exceed; absent means no check. */
  readonly entropy?: number;
  /** 1-based capture group holding the secret. */
  readonly secretGroup?: number;
  readonly allowlists?: readonly SecretAllowlistSpec[];
  /**
   * Necessary conditions at keyword occurrences, by keyword: a JavaScript pattern that must match
   * (sticky) where the keyword occurs in the text as written, or that occurrence cannot be part of a
   * match. Only occurrences that pass count as the rule's keyword hits; used for rules whose keywords
   * are common word pieces (see anchor-checks.ts). Applied to pure-ASCII texts only.
   */
  readonly anchorChecks?: Readonly<Record<string, RegExp>>;
}

/** Exceptions that apply to every rule (gitleaks' global allowlist, minus its file-path entries). */
export interface GlobalSecretAllowlistSpec {
  readonly regexes: readonly string[];
  readonly stopwords: readonly string[];
}
