import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { FileUnreadableError, PolicyInvalidError } from '../errors.js';
import { SecurityPolicy } from './security-policy.js';

/**
 * Parse policy text: JSON, or YAML (a superset of JSON, so either works in any file).
 * @param source names the input in error messages.
 * @throws {PolicyInvalidError} on syntax errors (with line and column) and on invalid policies.
 */
export function parsePolicyText(text: string, source = 'policy'): SecurityPolicy {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [0, 0];
      throw new PolicyInvalidError(
        [
          {
            path: '$',
            message: `${source}:${line}:${col}: not valid YAML or JSON: ${err.message.split('\n')[0]}`,
            hint: 'check indentation, quotes and commas at that line',
          },
        ],
        source,
      );
    }
    throw err;
  }
  return SecurityPolicy.fromJSON(value ?? {}, source);
}

/**
 * Read and validate a policy file (YAML or JSON).
 * @throws {FileUnreadableError} when the file cannot be read; {@link PolicyInvalidError} when invalid.
 * @example const policy = await loadPolicyFile('policy.yaml');
 */
export async function loadPolicyFile(path: string): Promise<SecurityPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FileUnreadableError(path, err);
  }
  return parsePolicyText(text, path);
}
