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
