/**
 * `declaw run --secret NAME=value@host[,host2]`: a secure env var given on the command line. The
 * sandbox sees only a placeholder; the proxy swaps in the value on requests to the listed hosts. The
 * value is never echoed: errors name the flag and the variable, never what followed the `=`.
 */
import { InvalidArgumentError, PolicyInvalidError } from '../errors.js';
import { SecurityPolicy } from '../policy/security-policy.js';

/** One parsed `--secret` flag. */
export interface SecretFlag {
  key: string;
  value: string;
  domains: string[];
}

const FORM =
  'the accepted form is --secret NAME=value@host[,host2] (e.g. OPENAI_API_KEY=sk-...@api.openai.com)';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function refuse(message: string): never {
  throw new InvalidArgumentError('--secret', `${message}; ${FORM}`);
}

/**
 * Parses one `--secret` value. The value runs from the first `=` to the LAST `@`, so values holding
 * `=` or `@` work; host names cannot contain `@`.
 *
 * @throws {InvalidArgumentError} naming `--secret` and the accepted form; never containing the value.
 * @example
 * parseSecretFlag('OPENAI_API_KEY=sk-abc@api.openai.com,*.openai.azure.com');
 * // { key: 'OPENAI_API_KEY', value: 'sk-abc', domains: ['api.openai.com', '*.openai.azure.com'] }
 */
export function parseSecretFlag(flag: string): SecretFlag {
  const eq = flag.indexOf('=');
  if (eq < 0) refuse('no "=" after the variable name');
  const key = flag.slice(0, eq);
  if (!ENV_NAME.test(key)) {
    refuse(key === '' ? 'the variable name is missing' : `"${key}" is not an environment variable name`);
  }
  const at = flag.lastIndexOf('@');
  if (at < eq) refuse(`${key} names no host after "@"`);
  const value = flag.slice(eq + 1, at);
  if (value === '') refuse(`${key} has an empty value`);
  const domains = flag
    .slice(at + 1)
    .split(',')
    .map((d) => d.trim());
  if (domains.some((d) => d === '')) refuse(`${key} has an empty host in its host list`);
  return { key, value, domains };
}

/**
 * The policy with the flags' secrets added to `env_security.secure_env_vars`; a flag replaces a
 * policy entry of the same name (the command line wins). Host patterns are checked by the policy
 * schema, so they follow the same rules as in a policy file.
 *
 * @throws {InvalidArgumentError} naming `--secret` when a host pattern is invalid or a name repeats.
 * @example
 * const p = withSecrets(policy, [parseSecretFlag('TOKEN=t0k3n@api.example.com')]);
 * p.json.env_security.secure_env_vars.at(-1)?.key; // 'TOKEN'
 */
export function withSecrets(policy: SecurityPolicy, secrets: readonly SecretFlag[]): SecurityPolicy {
  if (secrets.length === 0) return policy;
  const seen = new Set<string>();
  for (const s of secrets) {
    if (seen.has(s.key)) refuse(`${s.key} is given twice`);
    seen.add(s.key);
  }
  // Each flag's host list is checked alone by the policy schema, so the error names its variable.
  for (const s of secrets) {
    try {
      SecurityPolicy.fromJSON({ env_security: { secure_env_vars: [{ ...s, value: 'x' }] } });
    } catch (err) {
      if (!(err instanceof PolicyInvalidError)) throw err;
      refuse(`the hosts of ${s.key} are not valid: ${err.issues[0]?.message ?? 'invalid'}`);
    }
  }
  const json = policy.toJSON();
  json.env_security.secure_env_vars = [
    ...json.env_security.secure_env_vars.filter((v) => !seen.has(v.key)),
    ...secrets.map((s) => ({ key: s.key, value: s.value, domains: [...s.domains] })),
  ];
  return SecurityPolicy.fromJSON(json);
}
