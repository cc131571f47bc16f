/**
 * Every error declaw raises on purpose. Each class carries a stable `code` that scripts and the daemon
 * can rely on, and a message that says what was wrong and what to do about it.
 *
 * Add new codes to {@link ErrorCode} and to docs/errors.md (a test keeps the two in step).
 *
 * @example
 * try { SecurityPolicy.fromJSON(raw) } catch (e) {
 *   if (e instanceof PolicyInvalidError) for (const i of e.issues) console.error(i.path, i.message);
 * }
 */

export * from './errors/base.js';
export * from './errors/general-errors.js';
export * from './errors/sandbox-errors.js';
export * from './errors/api-errors.js';
