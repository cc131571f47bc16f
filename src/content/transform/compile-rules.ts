import RE2 from 're2';
import type { PolicyIssue } from '../../errors.js';
import { PolicyInvalidError } from '../../errors.js';
import { compileUserRegex, UserRegexSyntaxError } from '../../policy/user-regex.js';
import { parseReplacement, ReplacementSyntaxError } from '../../policy/replacement-syntax.js';
import type { CompiledRule } from './rule-runner.js';
import { nativeSafeOnInvalidUtf8, toNativeTemplate } from './rule-runner.js';
import type { TransformDirection, TransformRuleInput } from './types.js';

const DIRECTIONS: readonly TransformDirection[] = ['outbound', 'inbound', 'both'];

/**
 * Check and compile the rules of a policy, in order. Every problem is collected, so one error lists
 * them all with their JSON paths (`$.transformations[2].replace`).
 *
 * @throws {PolicyInvalidError} when any rule is malformed.
 * @example
 * compileRules([{ direction: 'both', match: '(a)', replace: '\\2' }]);
 * // PolicyInvalidError: $.transformations[0].replace: replace refers to group \2 but match has 1 group
 */
export function compileRules(rules: readonly TransformRuleInput[]): CompiledRule[] {
  if (!Array.isArray(rules)) {
    throw new PolicyInvalidError([
      {
        path: '$.transformations',
        message: 'transformations must be a list of rules',
        hint: 'write [] for none',
      },
    ]);
  }
  const issues: PolicyIssue[] = [];
  const compiled: CompiledRule[] = [];
  rules.forEach((rule: unknown, index) => {
    const at = `$.transformations[${index}]`;
    if (typeof rule !== 'object' || rule === null) {
      issues.push({ path: at, message: 'a rule must be an object with direction, match and replace' });
      return;
    }
    const { direction, match, replace } = rule as Record<string, unknown>;
    if (typeof direction !== 'string' || !DIRECTIONS.includes(direction as TransformDirection)) {
      issues.push({ path: `${at}.direction`, message: 'direction must be "outbound", "inbound" or "both"' });
    }
    if (typeof replace !== 'string') {
      issues.push({
        path: `${at}.replace`,
        message: 'replace must be a string',
        hint: 'use "" to delete matches',
      });
    }
    if (typeof match !== 'string') {
      issues.push({ path: `${at}.match`, message: 'match must be a regex string' });
      return;
    }
    let groups;
    try {
      groups = compileUserRegex(match);
    } catch (err) {
      if (!(err instanceof UserRegexSyntaxError)) throw err;
      issues.push({ path: `${at}.match`, message: err.message, hint: err.hint });
      return;
    }
    if (typeof replace !== 'string' || typeof direction !== 'string') return;
    try {
      const replacement = parseReplacement(replace, groups);
      compiled.push({
        index,
        direction: direction as TransformDirection,
        pattern: match,
        // Our own program: `lastIndex` is ours to move, whoever else compiled the same pattern.
        re: new RE2(match, 'gu'),
        replacement,
        nativeTemplate: toNativeTemplate(replacement),
        nativeSafeOnInvalid: nativeSafeOnInvalidUtf8(match),
      });
    } catch (err) {
      if (!(err instanceof ReplacementSyntaxError)) throw err;
      issues.push({ path: `${at}.replace`, message: err.message, hint: err.hint });
    }
  });
  if (issues.length > 0) throw new PolicyInvalidError(issues, 'transformations');
  return compiled;
}
