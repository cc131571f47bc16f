/** PII engines (seed 001): detectors, the scanner, tokens and vault, body redaction, rehydration. */
export { createPiiScanner, type PiiScannerOptions } from './scanner.js';
export type { PiiDetector, PiiFinding, PiiScanner } from './types.js';
export { PiiSession, type PiiSessionOptions } from './session.js';
export { redactBody, type RedactBodyOptions, type RedactBodyResult, type PiiAction } from './redact-body.js';
export { rehydrateText, type RehydrationContext } from './rehydrate.js';
export {
  createRehydrator,
  createRehydrationTransform,
  rehydrateBody,
  type Rehydrator,
  type RehydratorOptions,
} from './rehydrator-stream.js';
export {
  createPrecomputedDetector,
  type PersonNameDetector,
  type EntitySpan,
} from './detectors/person-name.js';
