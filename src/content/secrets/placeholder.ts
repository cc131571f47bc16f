import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';

/** Every placeholder starts with this, so people and tools can tell one when they see it. */
export const PLACEHOLDER_PREFIX = 'declaw_secret_';

/** Random bytes in a placeholder: 128 bits, so nobody can guess another sandbox's placeholder. */
const RANDOM_BYTES = 16;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Matches a whole placeholder; the first group is the env var name. */
export const PLACEHOLDER_PATTERN = /^declaw_secret_([A-Za-z_][A-Za-z0-9_]*)_([0-9a-f]{32})$/;

/**
 * A fresh placeholder for the secret `key` of one sandbox: `declaw_secret_<KEY>_<32 hex digits>`.
 * Only letters, digits and `_`, so it survives headers, URLs, JSON and form encoding unchanged and
 * the proxy finds it literally wherever the client put it. Each call gives a new random part: two
 * sandboxes never share a placeholder, and a placeholder reveals nothing about the value.
 *
 * @example
 * makePlaceholder('OPENAI_API_KEY'); // 'declaw_secret_OPENAI_API_KEY_3f9c0a...'
 */
export function makePlaceholder(key: string, random: (n: number) => Buffer = randomBytes): string {
  if (!ENV_NAME.test(key)) {
    throw new InvalidArgumentError(
      'key',
      `"${key}" is not an environment variable name, e.g. OPENAI_API_KEY`,
    );
  }
  const bytes = random(RANDOM_BYTES);
  if (bytes.length !== RANDOM_BYTES) {
    throw new InvalidArgumentError('random', `must return ${RANDOM_BYTES} bytes, returned ${bytes.length}`);
  }
  return `${PLACEHOLDER_PREFIX}${key}_${bytes.toString('hex')}`;
}

/**
 * The env var name a placeholder stands for, or undefined when `text` is not a placeholder.
 *
 * @example
 * placeholderKey('declaw_secret_GH_TOKEN_00112233445566778899aabbccddeeff'); // 'GH_TOKEN'
 */
export function placeholderKey(text: string): string | undefined {
  return PLACEHOLDER_PATTERN.exec(text)?.[1];
}
