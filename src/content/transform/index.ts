/**
 * Transformation rules (seed 002): RE2 patterns with Python-style replacements, applied in policy
 * order to bodies and heads of HTTP messages. See docs/transformations.md.
 *
 * @example
 * import { TransformEngine } from './content/transform/index.js';
 * const engine = new TransformEngine(policy.transformations);
 * const { output, fired } = engine.applyToText(body, 'outbound');
 */
export { TransformEngine, type TransformEngineOptions } from './transform-engine.js';
export { TransformScratch } from './scratch.js';
export {
  parseReplacement,
  describeReplacementProblem,
  expandReplacement,
  ReplacementSyntaxError,
  type CompiledReplacement,
  type ReplacementGroups,
  type ReplacementPart,
  type ReplacementProblem,
} from '../../policy/replacement-syntax.js';
export { canonicalHeaderName, isProtectedHeader, PROTECTED_HEADER_NAMES } from './header-lines.js';
export type {
  BodyTransformResult,
  FiredRule,
  HeaderPair,
  HeadTransformResult,
  HttpMessageInput,
  MessageDirection,
  MessageTransformResult,
  TransformDirection,
  TransformRuleInput,
} from './types.js';
