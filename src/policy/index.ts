/** The SecurityPolicy model (seeds 000–002): schema, two faces, constructors, derived facts. */
export { SecurityPolicy, type SecurityPolicyInput, type SecurityPolicyObject } from './security-policy.js';
export { securityPolicySchema, type SecurityPolicyJSON, type SecurityPolicyInputJSON } from './schema.js';
export {
  PIIConfig,
  InjectionDefenseConfig,
  NetworkPolicy,
  TransformationRule,
  AuditConfig,
  EnvSecurityConfig,
  SecureEnvVar,
  InvisibleTextConfig,
} from './constructors.js';
export {
  ALL_TRAFFIC,
  ALL_TRAFFIC_V6,
  parseNetworkEntry,
  normalizeHostname,
  type NetworkEntry,
} from './network-entry.js';
export { compileHostMatcher, type HostMatcher } from './host-matcher.js';
export { effectivePiiTypes, needsBodyInspection, hasDomainRules } from './derived.js';
export { loadPolicyFile, parsePolicyText } from './load.js';
export {
  BUILT_IN_PII_TYPES,
  DEFAULT_PII_TYPES,
  NER_ONLY_PII_TYPES,
  PII_TYPES,
  type PiiType,
  tokenPrefix,
} from './pii-types.js';
export { DEFAULT_INJECTION_THRESHOLD } from './sections/injection.js';
export { DEFAULT_MASK_PATTERNS } from './sections/env.js';
export { DEFAULT_AUDIT_RETENTION_DAYS } from './sections/audit.js';
export { compileUserRegex } from './user-regex.js';
export { parseReplacement, describeReplacementProblem } from './replacement-syntax.js';
