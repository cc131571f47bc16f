import { PolicyInvalidError, type PolicyIssue } from '../errors.js';
import { renameKeysDeep, camelToSnake, snakeToCamel, type CamelizeDeep } from './case.js';
import { toPolicyIssues } from './issues.js';
import { securityPolicySchema, type SecurityPolicyInputJSON, type SecurityPolicyJSON } from './schema.js';

/** A normalised policy in the TypeScript face (camelCase). */
export type SecurityPolicyObject = CamelizeDeep<SecurityPolicyJSON>;
/** What `SecurityPolicy.from` accepts: camelCase (snake_case keys work too), shorthands allowed. */
export type SecurityPolicyInput = CamelizeDeep<SecurityPolicyInputJSON>;

/** Parse snake_case wire input, returning the normalised JSON or the issues. */
export function parsePolicyJSON(
  input: unknown,
  renameKey?: (k: string) => string,
): { ok: true; value: SecurityPolicyJSON } | { ok: false; issues: PolicyIssue[] } {
  const result = securityPolicySchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toPolicyIssues(result.error.issues, renameKey) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * A validated, normalised, immutable security policy (seed 000). Build one from the TypeScript face
 * with {@link SecurityPolicy.from} or from the snake_case wire format (policy files, `policy_json`)
 * with {@link SecurityPolicy.fromJSON}; `toJSON()` and `toObject()` convert back without loss.
 *
 * @example
 * const policy = SecurityPolicy.from({
 *   pii: { enabled: true, types: ['ssn', 'email'], rehydrateResponse: true },
 *   injectionDefense: true,
 *   network: { allowOut: ['*.openai.com'], denyOut: [ALL_TRAFFIC] },
 * });
 * policy.toJSON().pii.rehydrate_response; // true
 */
export class SecurityPolicy {
  /** The normalised policy, snake_case. */
  readonly json: Readonly<SecurityPolicyJSON>;

  private constructor(json: SecurityPolicyJSON) {
    this.json = deepFreeze(json);
  }

  /**
   * From the TypeScript face: camelCase keys (snake_case accepted too), shorthands, seed-style section
   * constructors such as `PIIConfig({...})`, or another SecurityPolicy.
   * @throws {PolicyInvalidError} listing every problem with its camelCase path.
   */
  static from(input: SecurityPolicyInput | SecurityPolicy | Record<string, unknown> = {}): SecurityPolicy {
    if (input instanceof SecurityPolicy) return input;
    const parsed = parsePolicyJSON(renameKeysDeep(input, camelToSnake), snakeToCamel);
    if (!parsed.ok) throw new PolicyInvalidError(parsed.issues);
    return new SecurityPolicy(parsed.value);
  }

  /**
   * From the wire format: a parsed JSON/YAML value, or a JSON string (as in `security.policy_json`).
   * @param source names the input in error messages, e.g. a file path.
   * @throws {PolicyInvalidError} listing every problem with its snake_case path.
   */
  static fromJSON(input: unknown, source?: string): SecurityPolicy {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input);
      } catch (err) {
        throw new PolicyInvalidError(
          [
            {
              path: '$',
              message: `not valid JSON: ${(err as Error).message}`,
              hint: 'check quotes and commas',
            },
          ],
          source,
        );
      }
    }
    const parsed = parsePolicyJSON(value);
    if (!parsed.ok) throw new PolicyInvalidError(parsed.issues, source);
    return new SecurityPolicy(parsed.value);
  }

  /** The wire format (snake_case), complete and normalised. `fromJSON(p.toJSON())` equals `p`. */
  toJSON(): SecurityPolicyJSON {
    return structuredClone(this.json) as SecurityPolicyJSON;
  }

  /** The TypeScript face (camelCase). `SecurityPolicy.from(p.toObject())` equals `p`. */
  toObject(): SecurityPolicyObject {
    return renameKeysDeep(this.toJSON(), snakeToCamel) as SecurityPolicyObject;
  }

  /** The wire format with secret values replaced by `****`: for printing, logs and API responses. */
  toDisplayJSON(): SecurityPolicyJSON {
    const json = this.toJSON();
    for (const v of json.env_security.secure_env_vars) if (v.value !== undefined) v.value = '****';
    return json;
  }
}
