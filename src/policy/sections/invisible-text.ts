import { z } from 'zod';
import { choice, hostPatternList, strictSection } from './common.js';

/** strip: remove invisible characters from responses; block: reject them; log_only: audit only. */
export const INVISIBLE_TEXT_ACTIONS = ['strip', 'block', 'log_only'] as const;

/**
 * Invisible-text defence (a section `@declaw/sdk` sends): zero-width, bidi-override and Unicode tag
 * characters in responses, which can smuggle instructions past a human reviewer.
 */
export const invisibleTextSchema = strictSection({
  enabled: z.boolean().default(false),
  action: choice(INVISIBLE_TEXT_ACTIONS, 'invisible-text action').default('strip'),
  domains: hostPatternList.default([]),
});
