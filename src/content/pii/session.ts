import { createHmac, randomBytes } from 'node:crypto';
import { InternalError, InvalidArgumentError } from '../../errors.js';
import type { PiiType } from '../../policy/pii-types.js';
import { formatToken, TOKEN_HEX_DIGITS } from './token.js';
import { TokenVault, type TokenVaultOptions } from './vault.js';

/** Options of a {@link PiiSession}: the vault bounds, plus a secret for reproducible tests. */
export interface PiiSessionOptions extends TokenVaultOptions {
  /**
   * Key of the token hash, at least 16 bytes. Default: 32 random bytes, so tokens of two sessions are
   * unrelated. Pass one only in tests that need stable tokens; the session keeps its own copy.
   */
  secret?: Uint8Array;
}

/** Tries before giving up on finding a free token for a value (each try has a 2^-24 chance to collide). */
const MAX_COLLISION_TRIES = 64;

/**
 * The PII state of one sandbox: the secret that keys its tokens and the vault of tokens it issued.
 * Redaction asks it for tokens; rehydration asks it what a token stands for. Same value, same token for
 * the life of the session; two sessions' tokens for one value are unrelated.
 *
 * A token is `[TYPE_xxxxxx]` with six hex digits of HMAC-SHA256(secret, type, value). Six digits collide
 * within one session after a few thousand values of one type, so when a hash is already taken by a
 * different value the session rehashes with a counter: the second value gets another token, and every
 * token keeps resolving to the one value it was issued for.
 *
 * @example
 * const session = new PiiSession();
 * const token = session.tokenFor('credit_card', '4111111111111111'); // e.g. '[CREDIT_CARD_9f2a3b]'
 * session.resolve(token); // '4111111111111111'
 * session.destroy();
 */
export class PiiSession {
  readonly #secret: Buffer;
  readonly #vault: TokenVault;
  #destroyed = false;

  constructor(options: PiiSessionOptions = {}) {
    if (options.secret !== undefined && options.secret.length < 16) {
      throw new InvalidArgumentError('secret', 'must be at least 16 bytes; omit it to get a random one');
    }
    this.#secret = options.secret !== undefined ? Buffer.from(options.secret) : randomBytes(32);
    this.#vault = new TokenVault(options);
  }

  /** Number of tokens the vault currently remembers. */
  get size(): number {
    return this.#vault.size;
  }

  /** The vault's bound on entries. */
  get maxEntries(): number {
    return this.#vault.maxEntries;
  }

  /** The vault's bound on age, in milliseconds. */
  get maxAgeMs(): number {
    return this.#vault.maxAgeMs;
  }

  /** True once {@link destroy} ran. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * The token for a value, issuing (and remembering) it on first use.
   *
   * @throws InvalidArgumentError when the session was destroyed.
   */
  tokenFor(type: PiiType, value: string): string {
    if (this.#destroyed) {
      throw new InvalidArgumentError('session', 'this PII session was destroyed; create a new PiiSession');
    }
    const known = this.#vault.tokenOf(type, value);
    if (known !== undefined) return known;
    for (let attempt = 0; attempt < MAX_COLLISION_TRIES; attempt++) {
      const token = formatToken(type, this.#hash(type, value, attempt));
      if (!this.#vault.has(token)) {
        this.#vault.put(type, value, token);
        return token;
      }
    }
    // The vault holds at most MAX_VAULT_ENTRIES (2^20) tokens, a sixteenth of the 2^24 hashes of a type,
    // so 64 taken hashes in a row (odds 2^-256) means the vault is broken, not unlucky.
    throw new InternalError(`no free token for a ${type} value after ${MAX_COLLISION_TRIES} tries`);
  }

  /** The original value of a token this session issued, or undefined for any other string. */
  resolve(token: string): string | undefined {
    return this.#destroyed ? undefined : this.#vault.valueOf(token);
  }

  /** True when the session has issued no token that is still remembered (nothing to rehydrate). */
  get empty(): boolean {
    return this.#destroyed || this.#vault.size === 0;
  }

  /** Wipes the secret and every remembered value. The session issues and resolves nothing afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#secret.fill(0);
    this.#vault.clear();
  }

  #hash(type: PiiType, value: string, attempt: number): string {
    // NUL separators keep (type, attempt, value) unambiguous: no type or attempt number contains one.
    return createHmac('sha256', this.#secret)
      .update(`${type}\u0000${attempt}\u0000${value}`)
      .digest('hex')
      .slice(0, TOKEN_HEX_DIGITS);
  }
}
