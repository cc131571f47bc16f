/**
 * Built-in prompt-injection scoring (seed 000, pipeline stage 4): see docs/injection.md.
 *
 * @example
 * import { createInjectionScorer } from './content/injection/index.js';
 * const { score, signals } = createInjectionScorer().score(body, 'text/html');
 */
export { createInjectionScorer, DEFAULT_OPERATING_THRESHOLD, STRUCTURAL_WEIGHTS } from './scorer.js';
export type { InjectionResult, InjectionScorer, InjectionScorerOptions, InjectionSignal } from './types.js';
