import { withAnchorChecks } from '../secret-rules/anchor-checks.js';
import { DECLAW_SECRET_RULES } from '../secret-rules/declaw-rules.js';
import { GITLEAKS_GLOBAL_ALLOWLIST, GITLEAKS_RULES } from '../secret-rules/gitleaks-rules.js';
import { SecretRuleMatcher } from '../secret-rules/matcher.js';
import type { GlobalSecretAllowlistSpec, SecretRuleSpec } from '../secret-rules/types.js';
import type { PiiDetector, PiiFinding } from '../types.js';

/** Options of {@link createApiKeyDetector}. */
export interface ApiKeyDetectorOptions {
  /** Rules to use instead of the built-in set (gitleaks rules, then declaw's own). */
  rules?: readonly SecretRuleSpec[];
  /** Exceptions for every rule; defaults to gitleaks' global allowlist. */
  globalAllowlist?: GlobalSecretAllowlistSpec;
}

const isGeneric = (r: SecretRuleSpec): boolean => r.id.startsWith('generic');

/**
 * The built-in rule set in priority order (an equally long match of an earlier rule wins): gitleaks'
 * named formats, then declaw's additions, then gitleaks' generic `key = value` rules, so a GitHub token
 * in `TOKEN=ghp_…` is reported as `github-pat` rather than as a generic key. Rules with common keywords
 * carry anchor checks (see anchor-checks.ts).
 */
export const DEFAULT_SECRET_RULES: readonly SecretRuleSpec[] = [
  ...GITLEAKS_RULES.filter((r) => !isGeneric(r)),
  ...DECLAW_SECRET_RULES,
  ...GITLEAKS_RULES.filter(isGeneric),
].map(withAnchorChecks);

/**
 * Detects API keys, tokens and private keys with gitleaks' rule set (compiled with RE2) plus declaw's own
 * rules. The finding covers the secret itself, so `api_key = "…"` keeps its name and loses its value;
 * `detector` names the rule, e.g. `api_key:github-pat`.
 *
 * @example
 * const d = createApiKeyDetector();
 * d.detect('export GITHUB_TOKEN=ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8');
 * // [{ type: 'api_key', detector: 'api_key:github-pat', start: 20, end: 60, score: 1 }]
 */
export function createApiKeyDetector(options: ApiKeyDetectorOptions = {}): PiiDetector {
  const matcher = new SecretRuleMatcher(
    options.rules ?? DEFAULT_SECRET_RULES,
    options.globalAllowlist ?? GITLEAKS_GLOBAL_ALLOWLIST,
  );
  return {
    type: 'api_key',
    detect(text: string): PiiFinding[] {
      return matcher.find(text).map((m) => ({
        type: 'api_key',
        start: m.start,
        end: m.end,
        detector: `api_key:${m.ruleId}`,
        // Generic "something = random-looking" rules guess; named formats are certain.
        score: m.ruleId.startsWith('generic') ? 0.7 : 1,
      }));
    },
  };
}
