import { z } from 'zod';
import { compileUserRegex, UserRegexSyntaxError } from '../user-regex.js';
import { describeReplacementProblem } from '../replacement-syntax.js';
import { addIssue, choice, strictSection } from './common.js';

/** outbound: request bodies and heads; inbound: responses; both (seed 002). */
export const TRANSFORM_DIRECTIONS = ['outbound', 'inbound', 'both'] as const;

/**
 * TransformationRule of seed 002: `match` is an RE2 pattern, `replace` a Python-style replacement
 * with `\1`/`\g<name>` group references, checked against the groups `match` really has.
 */
export const transformationSchema = strictSection({
  direction: choice(TRANSFORM_DIRECTIONS, 'direction').default('outbound'),
  match: z.string({ error: 'match must be a regex string' }),
  replace: z.string({ error: 'replace must be a string (use "" to delete)' }),
}).superRefine((rule, ctx) => {
  let compiled;
  try {
    compiled = compileUserRegex(rule.match);
  } catch (err) {
    if (!(err instanceof UserRegexSyntaxError)) throw err;
    addIssue(ctx, err.message, err.hint, ['match']);
    return;
  }
  const problem = describeReplacementProblem(rule.replace, compiled);
  if (problem) addIssue(ctx, problem.message, problem.hint, ['replace']);
});
