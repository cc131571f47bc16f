import { InvalidArgumentError } from '../../errors.js';
import type { PiiType } from '../../policy/pii-types.js';

/** Default bound on the number of tokens one session remembers. */
export const DEFAULT_VAULT_MAX_ENTRIES = 100_000;

/** Default time a token stays resolvable after it was last issued: 24 hours. */
export const DEFAULT_VAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Hard ceiling on `maxEntries`: 2^20, a sixteenth of the 2^24 possible tokens of one type, so a free
 * token is always found within a few rehashes.
 */
export const MAX_VAULT_ENTRIES = 1 << 20;

/** Bounds of a {@link TokenVault}. */
export interface TokenVaultOptions {
  /**
   * Most tokens kept; the least recently issued is evicted first. Default {@link DEFAULT_VAULT_MAX_ENTRIES},
   * at most {@link MAX_VAULT_ENTRIES}.
   */
  maxEntries?: number;
  /** Milliseconds a token stays resolvable after it was last issued. Default {@link DEFAULT_VAULT_MAX_AGE_MS}. */
  maxAgeMs?: number;
  /** Clock in milliseconds; injected by tests. Default `Date.now`. */
  now?: () => number;
}

interface VaultEntry {
  readonly token: string;
  readonly key: string;
  value: string;
  issuedAt: number;
}

/**
 * A bounded token → value map with the reverse index redaction needs (type + value → token). Entries are
 * kept in the order they were last issued, so the oldest is always first: eviction by size and by age
 * are both O(1) per entry removed. Re-issuing a value (the same card in the next request) refreshes its
 * entry, because the response to that request may quote its token again.
 *
 * @example
 * const vault = new TokenVault({ maxEntries: 2 });
 * vault.put('ssn', '123-45-6789', '[SSN_0a1b2c]');
 * vault.valueOf('[SSN_0a1b2c]'); // '123-45-6789'
 */
export class TokenVault {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly #now: () => number;
  /** token → entry, in issue order (a Map iterates in insertion order). */
  readonly #byToken = new Map<string, VaultEntry>();
  /** `type\0value` → entry. */
  readonly #byValue = new Map<string, VaultEntry>();

  constructor(options: TokenVaultOptions = {}) {
    this.maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_VAULT_MAX_ENTRIES, 'maxEntries');
    if (this.maxEntries > MAX_VAULT_ENTRIES) {
      throw new InvalidArgumentError(
        'maxEntries',
        `must be at most ${MAX_VAULT_ENTRIES}, got ${this.maxEntries}`,
      );
    }
    this.maxAgeMs = positiveInteger(options.maxAgeMs ?? DEFAULT_VAULT_MAX_AGE_MS, 'maxAgeMs');
    this.#now = options.now ?? Date.now;
  }

  /** Number of tokens currently resolvable (expired ones may linger until the next write or lookup). */
  get size(): number {
    return this.#byToken.size;
  }

  /** The token already issued for this value, refreshing its age; undefined when there is none. */
  tokenOf(type: PiiType, value: string): string | undefined {
    const entry = this.#byValue.get(valueKey(type, value));
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (this.#expired(entry, now)) {
      this.#remove(entry);
      return undefined;
    }
    this.#touch(entry, now);
    return entry.token;
  }

  /** The value behind a token, or undefined if this vault never issued it (or forgot it). */
  valueOf(token: string): string | undefined {
    const entry = this.#byToken.get(token);
    if (entry === undefined) return undefined;
    if (this.#expired(entry, this.#now())) {
      this.#remove(entry);
      return undefined;
    }
    return entry.value;
  }

  /** True if `token` is currently taken by some value (used to detect hash collisions). */
  has(token: string): boolean {
    return this.valueOf(token) !== undefined;
  }

  /** Records a freshly issued token, then evicts what is too old or beyond the size bound. */
  put(type: PiiType, value: string, token: string): void {
    const now = this.#now();
    const previous = this.#byToken.get(token);
    if (previous !== undefined) this.#remove(previous);
    const entry: VaultEntry = { token, key: valueKey(type, value), value, issuedAt: now };
    const stale = this.#byValue.get(entry.key);
    if (stale !== undefined) this.#remove(stale);
    this.#byToken.set(token, entry);
    this.#byValue.set(entry.key, entry);
    this.#evict(now);
  }

  /** Forgets every entry and overwrites the stored values' references. */
  clear(): void {
    for (const entry of this.#byToken.values()) entry.value = '';
    this.#byToken.clear();
    this.#byValue.clear();
  }

  #expired(entry: VaultEntry, now: number): boolean {
    return now - entry.issuedAt >= this.maxAgeMs;
  }

  #touch(entry: VaultEntry, now: number): void {
    entry.issuedAt = now;
    // Move to the end so the map stays ordered by last issue.
    this.#byToken.delete(entry.token);
    this.#byToken.set(entry.token, entry);
  }

  #remove(entry: VaultEntry): void {
    this.#byToken.delete(entry.token);
    if (this.#byValue.get(entry.key) === entry) this.#byValue.delete(entry.key);
  }

  #evict(now: number): void {
    for (const entry of this.#byToken.values()) {
      if (this.#byToken.size <= this.maxEntries && !this.#expired(entry, now)) break;
      this.#remove(entry);
    }
  }
}

function valueKey(type: PiiType, value: string): string {
  return `${type}\u0000${value}`;
}

function positiveInteger(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(name, `must be a positive whole number, got ${String(n)}`);
  }
  return n;
}
