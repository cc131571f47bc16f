/** Secure env vars (placeholders and the swap engine) and env-var masking (seed 000, EnvSecurityConfig). */
export {
  SandboxSecrets,
  type OutboundSwap,
  type InboundMask,
  type SandboxSecretsOptions,
} from './sandbox-secrets.js';
export { makePlaceholder, placeholderKey, PLACEHOLDER_PREFIX, PLACEHOLDER_PATTERN } from './placeholder.js';
export {
  swapNeedles,
  swapNeedleStream,
  type Needle,
  type NeedleStream,
  type SwapResult,
} from './needle-swap.js';
export { compileMaskPatterns, maskEnv, maskSecretValues, MASK, type MaskMatcher } from './env-mask.js';
