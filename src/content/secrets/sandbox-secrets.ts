import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { compileHostMatcher, type HostMatcher } from '../../policy/host-matcher.js';
import type { SecurityPolicy } from '../../policy/security-policy.js';
import { makePlaceholder, PLACEHOLDER_PREFIX } from './placeholder.js';
import { swapNeedles, swapNeedleStream, type Needle, type NeedleStream } from './needle-swap.js';

/** One secure env var of a sandbox: its name, the placeholder the sandbox sees, the hosts it may reach. */
interface Binding {
  key: string;
  placeholder: string;
  value: string;
  domains: HostMatcher;
}

/** Result of swapping placeholders for values on a request. Names, never values. */
export interface OutboundSwap {
  /** The message with placeholders of bound secrets replaced (the input itself when none). */
  output: Buffer;
  /** Secrets whose real value was put in: the destination is one of their domains. */
  injected: string[];
  /** Secrets whose placeholder was sent to a host they are not bound to, and so went out unreplaced. */
  withheld: string[];
}

/** Result of masking secret values in a response. */
export interface InboundMask {
  output: Buffer;
  /** Secrets whose real value appeared and was replaced by the placeholder. */
  masked: string[];
}

/** Options of {@link SandboxSecrets.fromPolicy}. */
export interface SandboxSecretsOptions {
  /** Where `value_from_env` is looked up: the declaw process's environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Source of randomness for placeholders, for tests. */
  random?: (n: number) => Buffer;
}

/**
 * The secure env vars of one sandbox (seed 000's `SecureEnvVar`). The sandbox only ever gets
 * placeholders ({@link envForSandbox}); the proxy puts the real value in place of a placeholder only on
 * requests to a host the secret is bound to, and turns real values in responses back into
 * placeholders, so the value never enters the sandbox either way.
 *
 * @example
 * const secrets = SandboxSecrets.fromPolicy(policy);
 * secrets.envForSandbox(); // { OPENAI_API_KEY: 'declaw_secret_OPENAI_API_KEY_9c1f...' }
 * secrets.outbound(Buffer.from(`Bearer ${ph}`), 'api.openai.com').output; // 'Bearer sk-real...'
 * secrets.outbound(Buffer.from(`Bearer ${ph}`), 'evil.example').withheld; // ['OPENAI_API_KEY']
 */
export class SandboxSecrets {
  readonly #bindings: readonly Binding[];
  readonly #toValue: ReadonlyMap<string, Needle>;
  readonly #toPlaceholder: readonly Needle[];

  private constructor(bindings: Binding[]) {
    this.#bindings = bindings;
    this.#toValue = new Map(
      bindings.map((b) => [
        b.key,
        { id: b.key, find: Buffer.from(b.placeholder), replace: Buffer.from(b.value) },
      ]),
    );
    this.#toPlaceholder = bindings.map((b) => ({
      id: b.key,
      find: Buffer.from(b.value),
      replace: Buffer.from(b.placeholder),
    }));
  }

  /**
   * Reads the policy's `env_security.secure_env_vars` and makes a fresh placeholder for each.
   *
   * @throws {InvalidArgumentError} when a `value_from_env` variable is not set.
   */
  static fromPolicy(policy: SecurityPolicy, options: SandboxSecretsOptions = {}): SandboxSecrets {
    const env = options.env ?? process.env;
    const random = options.random ?? randomBytes;
    const bindings = policy.json.env_security.secure_env_vars.map((v): Binding => {
      let value = v.value;
      if (value === undefined && v.value_from_env !== undefined) {
        value = env[v.value_from_env];
        if (value === undefined || value === '') {
          throw new InvalidArgumentError(
            `env_security.secure_env_vars[${v.key}].value_from_env`,
            `the variable ${v.value_from_env} is not set in declaw's environment; export it before starting declaw or give the value inline`,
          );
        }
      }
      return {
        key: v.key,
        placeholder: makePlaceholder(v.key, random),
        value: value as string,
        domains: compileHostMatcher(v.domains),
      };
    });
    return new SandboxSecrets(bindings);
  }

  /** No secure env vars: nothing to swap. */
  get empty(): boolean {
    return this.#bindings.length === 0;
  }

  /** The environment the sandbox gets for its secure env vars: name → placeholder. */
  envForSandbox(): Record<string, string> {
    return Object.fromEntries(this.#bindings.map((b) => [b.key, b.placeholder]));
  }

  /** Names of the secrets that may be sent to `host`. */
  boundTo(host: string): string[] {
    return this.#bindings.filter((b) => b.domains.match(host) !== undefined).map((b) => b.key);
  }

  /**
   * Placeholders → real values in a request (head line, path or body) going to `host`, for the
   * secrets bound to that host only. Placeholders of other secrets are left as they are and reported
   * in `withheld`.
   */
  outbound(message: Buffer, host: string): OutboundSwap {
    if (this.#bindings.length === 0) return { output: message, injected: [], withheld: [] };
    const bound = new Set(this.boundTo(host));
    const needles = [...this.#toValue.values()];
    const allowed = needles.filter((n) => bound.has(n.id));
    const { output, found } = swapNeedles(message, allowed);
    const withheld = needles.filter((n) => !bound.has(n.id) && message.includes(n.find)).map((n) => n.id);
    return { output, injected: found, withheld };
  }

  /** {@link outbound} for a string (a header value or a request target). */
  outboundText(text: string, host: string): { output: string; injected: string[]; withheld: string[] } {
    if (this.#bindings.length === 0 || !text.includes(PLACEHOLDER_PREFIX)) {
      return { output: text, injected: [], withheld: [] };
    }
    const r = this.outbound(Buffer.from(text, 'latin1'), host);
    return { output: r.output.toString('latin1'), injected: r.injected, withheld: r.withheld };
  }

  /** Real values → placeholders in a response, whatever host it came from. */
  inbound(message: Buffer): InboundMask {
    if (this.#bindings.length === 0) return { output: message, masked: [] };
    const { output, found } = swapNeedles(message, this.#toPlaceholder);
    return { output, masked: found };
  }

  /** {@link inbound} for a response streamed in chunks; values split across chunks are masked too. */
  inboundStream(): NeedleStream {
    return swapNeedleStream(this.#toPlaceholder);
  }

  /** Never reveals values when logged or serialised. */
  toJSON(): Record<string, unknown> {
    return { secrets: this.#bindings.map((b) => b.key) };
  }
}
