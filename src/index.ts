/**
 * declaw: the public API. See README.md and docs/ for the model; every export carries its own JSDoc.
 */
export * from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export * from './policy/index.js';
export * from './content/pii/index.js';
export * from './content/transform/index.js';
export * from './content/injection/index.js';
export { findInvisibleText, type InvisibleTextResult } from './content/invisible/invisible-text.js';
export {
  ContentPipeline,
  type ContentEngines,
  type ContentFinding,
  type ContentResult,
  type BodyContext,
} from './content/content-pipeline.js';
export * from './content/secrets/index.js';
export * from './proxy/index.js';
export * from './sandbox/index.js';
export type { AuditSink } from './audit/sink.js';
export type { AuditEvent } from './audit/events.js';
export * from './guardrails/index.js';
export type { GuardrailsPort } from './content/guardrails-port.js';
