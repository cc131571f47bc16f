/**
 * declaw: the public API. See README.md and docs/ for the model; every export carries its own JSDoc.
 */
export * from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export * from './policy/index.js';
