/**
 * Masking of secret values in command output (EnvSecurityConfig.mask_patterns): the values of env
 * vars whose names match a pattern are replaced by `****`, also when a value is split across two
 * chunks of streamed output. Name matching and env maps use the shared rules of content/secrets.
 */
import { compileMaskPatterns, MASK } from '../content/secrets/env-mask.js';

export { MASK };

/** Values shorter than this are not masked: masking "1" or "on" would garble all output. */
export const MIN_MASKED_LENGTH = 4;

/** Incremental masking of one output stream. */
export interface MaskStream {
  /** Masked text that is safe to emit now (a possible secret prefix at the end is held back). */
  push(chunk: string): string;
  /** The rest, masked. */
  flush(): string;
}

/**
 * Replaces known secret values in text.
 * @example
 * const m = SecretMasker.fromEnv({ OPENAI_API_KEY: 'sk-123456' }, ['*_KEY']);
 * m.mask('key=sk-123456'); // 'key=****'
 */
export class SecretMasker {
  private readonly values: string[];
  private readonly pattern?: RegExp;
  private readonly maxLength: number;

  constructor(values: Iterable<string>) {
    this.values = [...new Set([...values].filter((v) => v.length >= MIN_MASKED_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
    this.maxLength = this.values[0]?.length ?? 0;
    if (this.values.length) {
      this.pattern = new RegExp(
        this.values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
        'g',
      );
    }
  }

  /** A masker for the values of the env vars matching `patterns`. */
  static fromEnv(env: Readonly<Record<string, string>>, patterns: readonly string[]): SecretMasker {
    const m = compileMaskPatterns(patterns);
    return new SecretMasker(
      Object.entries(env)
        .filter(([k]) => m.matches(k))
        .map(([, v]) => v),
    );
  }

  /** Whether there is anything to mask. */
  get active(): boolean {
    return this.pattern !== undefined;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** A stream masker: emits as much as it can, holding back only a possible start of a secret. */
  stream(): MaskStream {
    let pending = '';
    return {
      push: (chunk) => {
        if (!this.pattern) return chunk;
        pending += chunk;
        let holdFrom = pending.length;
        for (let k = Math.min(this.maxLength - 1, pending.length); k >= 1; k--) {
          const tail = pending.slice(-k);
          if (this.values.some((v) => v.startsWith(tail))) {
            holdFrom = pending.length - k;
            break;
          }
        }
        // Never cut through a complete occurrence: hold it back whole, it is masked on the next push.
        for (const m of pending.matchAll(this.pattern)) {
          if (m.index < holdFrom && m.index + m[0].length > holdFrom) holdFrom = m.index;
        }
        const out = this.mask(pending.slice(0, holdFrom));
        pending = pending.slice(holdFrom);
        return out;
      },
      flush: () => {
        const out = this.mask(pending);
        pending = '';
        return out;
      },
    };
  }
}
