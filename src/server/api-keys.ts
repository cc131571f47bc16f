/**
 * API keys of the daemon: from DECLAW_API_KEY and/or a key file (one key per line, `#` comments).
 * Keys are compared in constant time over their SHA-256 digests, so neither the content nor the
 * length of a key leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors.js';

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * @example
 * const keys = ApiKeys.of(['s3cret']);
 * keys.verify('s3cret'); // true
 * keys.verify('guess');  // false
 */
export class ApiKeys {
  private readonly digests: readonly Buffer[];

  private constructor(keys: readonly string[]) {
    if (keys.length === 0) {
      throw new InvalidArgumentError(
        'api key',
        'the daemon needs at least one API key: set DECLAW_API_KEY or write one to the key file',
      );
    }
    for (const k of keys) {
      if (k.length < 8)
        throw new InvalidArgumentError('api key', 'API keys must be at least 8 characters long');
    }
    this.digests = keys.map(digest);
  }

  /** From explicit keys. */
  static of(keys: readonly string[]): ApiKeys {
    return new ApiKeys(keys);
  }

  /** From DECLAW_API_KEY (if set) and the key file (if given and present). */
  static async load(o: { env?: NodeJS.ProcessEnv; keyFile?: string }): Promise<ApiKeys> {
    const keys: string[] = [];
    const fromEnv = (o.env ?? process.env).DECLAW_API_KEY?.trim();
    if (fromEnv) keys.push(fromEnv);
    if (o.keyFile) {
      let text = '';
      try {
        text = await readFile(o.keyFile, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      for (const line of text.split('\n')) {
        const k = line.trim();
        if (k && !k.startsWith('#')) keys.push(k);
      }
    }
    return new ApiKeys(keys);
  }

  /** Whether `candidate` is one of the keys; every key is compared, whatever matched. */
  verify(candidate: string | undefined): boolean {
    if (!candidate) return false;
    const d = digest(candidate);
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  }
}

/** The key a request carries: `Authorization: Bearer <key>` (what @declaw/sdk sends) or `X-API-Key`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}
