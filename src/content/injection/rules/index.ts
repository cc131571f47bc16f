/**
 * The built-in rule set, all families together. Ids are `family.name`; the family is the part before
 * the dot (override, role, jailbreak, leak, exfil, tool, output, code), documented in docs/injection.md.
 *
 * @example
 * import { BUILTIN_RULES } from './rules/index.js';
 * new Set(BUILTIN_RULES.map((r) => r.id)).size; // number of distinct signals
 */
import type { SignalRule } from '../types.js';
import { CODE_RULES } from './code.js';
import { EXFILTRATION_RULES } from './exfiltration.js';
import { LEAK_RULES } from './leak.js';
import { OUTPUT_RULES } from './output.js';
import { OVERRIDE_RULES } from './override.js';
import { ROLE_RULES } from './roles.js';
import { TASK_RULES } from './task.js';

/** Every built-in text rule. */
export const BUILTIN_RULES: readonly SignalRule[] = [
  ...OVERRIDE_RULES,
  ...ROLE_RULES,
  ...LEAK_RULES,
  ...EXFILTRATION_RULES,
  ...OUTPUT_RULES,
  ...CODE_RULES,
  ...TASK_RULES,
];
