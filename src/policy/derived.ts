import { DEFAULT_PII_TYPES, type PiiType } from './pii-types.js';
import { parseNetworkEntry } from './network-entry.js';
import type { SecurityPolicy } from './security-policy.js';

/**
 * The PII types a policy scans for: its list, or seed 001's types when the list is empty (the
 * Guardrails-only extras such as `organization` must be named).
 */
export function effectivePiiTypes(policy: SecurityPolicy): ReadonlySet<PiiType> {
  const { types } = policy.json.pii;
  return new Set(types.length === 0 ? DEFAULT_PII_TYPES : types);
}

/**
 * Whether the proxy must read bodies, and so intercept TLS (stage 3): PII, transformations, injection
 * defence, invisible-text defence or secure env vars. Network-only and audit-only policies never
 * intercept (seed 000).
 */
export function needsBodyInspection(policy: SecurityPolicy): boolean {
  const p = policy.json;
  return (
    p.pii.enabled ||
    p.injection_defense.enabled ||
    p.transformations.length > 0 ||
    p.invisible_text.enabled ||
    p.env_security.secure_env_vars.length > 0
  );
}

/** Whether allow_out/deny_out name hosts (so TCP 80/443 must go through the proxy, stage 2). */
export function hasDomainRules(policy: SecurityPolicy): boolean {
  const { allow_out, deny_out } = policy.json.network;
  return [...allow_out, ...deny_out].some((e) => {
    const kind = parseNetworkEntry(e).kind;
    return kind === 'domain' || kind === 'wildcard' || kind === 'regex';
  });
}
