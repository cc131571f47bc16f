/**
 * Interception certificates for one sandbox: one leaf per server name, signed by the sandbox's CA,
 * kept in an LRU and minted at most once at a time per name.
 *
 * All leaves of a sandbox share one P-256 key made when the cache is created, so minting is a single
 * ECDSA signature (about 2 ms) instead of a key generation (a fresh RSA key takes about 170 ms). The
 * leaf key never leaves the proxy: a sandbox only ever sees certificates.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createSecureContext, type SecureContext, type TLSSocketOptions } from 'node:tls';
import { LRUCache } from 'lru-cache';
import { InvalidArgumentError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { CLOCK_SKEW_MS, ECDSA_P256, type SandboxCa } from './sandbox-ca.js';
import { normaliseServerName } from './server-name.js';

const HOUR_MS = 3_600_000;
/** The proxy speaks HTTP/1.1 on intercepted connections; clients offering only h2 are refused in the handshake. */
export const INTERCEPT_ALPN = ['http/1.1'] as const;

/** Options of {@link LeafCache.create}. */
export interface LeafCacheOptions {
  /** The sandbox's CA; the cache never signs with anything else. */
  ca: SandboxCa;
  /** Most leaves kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
  /** Validity of each leaf. Leaves are re-minted after half of it. Default 24 hours. */
  leafValidityHours?: number;
  /** Called once per leaf actually minted (not for cache hits): metrics, logs, tests. */
  onMint?: (event: { name: string; durationMs: number }) => void;
  logger?: Logger;
  /** Clock used for certificate dates, for tests. */
  now?: () => Date;
}

/** A minted leaf. */
export interface Leaf {
  /** Normalised name the leaf is for. */
  name: string;
  certificatePem: string;
  /** Ready for `tls.createServer({ SNICallback })` or `new tls.TLSSocket(socket, { secureContext })`. */
  secureContext: SecureContext;
  notAfter: Date;
}

/** Counters of a {@link LeafCache}. */
export interface LeafCacheStats {
  /** Leaves signed since the cache was made. */
  mints: number;
  /** Lookups answered from the cache (including joins of a mint already in flight). */
  hits: number;
  /** Leaves currently cached. */
  size: number;
}

/**
 * Per-sandbox leaf certificates with single-flight minting.
 *
 * @example
 * const cache = await LeafCache.create({ ca });
 * const server = tls.createServer({ ...cache.serverOptions() }, onSecureConnection);
 * // or, on a socket whose SNI was already read:
 * const socket = new tls.TLSSocket(raw, { isServer: true, ...cache.serverOptions(),
 *   secureContext: await cache.secureContextFor(sni) });
 */
export class LeafCache {
  readonly #ca: SandboxCa;
  readonly #publicKey: webcrypto.CryptoKey;
  readonly #privateKeyPem: string;
  readonly #leaves: LRUCache<string, Leaf>;
  readonly #validityMs: number;
  readonly #now: () => Date;
  readonly #onMint: LeafCacheOptions['onMint'];
  readonly #logger: Logger;
  #mints = 0;
  #hits = 0;

  private constructor(options: LeafCacheOptions, publicKey: webcrypto.CryptoKey, privateKeyPem: string) {
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new InvalidArgumentError('maxEntries', `must be a positive whole number, got ${maxEntries}`);
    }
    const hours = options.leafValidityHours ?? 24;
    if (!(hours >= 1 && hours <= 24 * 90)) {
      throw new InvalidArgumentError('leafValidityHours', `must be between 1 and 2160 hours, got ${hours}`);
    }
    this.#ca = options.ca;
    this.#publicKey = publicKey;
    this.#privateKeyPem = privateKeyPem;
    this.#validityMs = hours * HOUR_MS;
    this.#now = options.now ?? (() => new Date());
    this.#onMint = options.onMint;
    this.#logger = options.logger ?? silentLogger;
    this.#leaves = new LRUCache<string, Leaf>({
      max: maxEntries,
      // Re-mint long before expiry so a leaf handed out now still has hours left.
      ttl: this.#validityMs / 2,
      // lru-cache shares one pending promise between concurrent fetches of a key: single flight.
      fetchMethod: (name) => this.#mint(name),
      ignoreFetchAbort: true,
    });
  }

  /** Makes the shared leaf key and an empty cache. */
  static async create(options: LeafCacheOptions): Promise<LeafCache> {
    // Extractable because OpenSSL needs the key as PEM; it stays in a private field of this object.
    const keys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({
      format: 'pem',
      type: 'pkcs8',
    });
    return new LeafCache(options, keys.publicKey, pem.toString());
  }

  /** The CA this cache signs with. */
  get ca(): SandboxCa {
    return this.#ca;
  }

  /**
   * The leaf for `serverName` (a DNS name or IP literal; case and a trailing dot are ignored), minting it
   * on first use. Concurrent first requests for one name wait for the same mint.
   *
   * @throws {InvalidArgumentError} when `serverName` is neither a DNS name nor an IP literal.
   */
  async leafFor(serverName: string): Promise<Leaf> {
    const name = normaliseServerName(serverName);
    if (name === undefined) {
      throw new InvalidArgumentError(
        'serverName',
        `"${serverName}" is not a DNS name or IP address; no certificate can be made for it`,
      );
    }
    const status: LRUCache.Status<string, Leaf> = {};
    const leaf = await this.#leaves.fetch(name, { status });
    if (status.fetch === 'hit' || status.fetch === 'inflight') this.#hits++;
    if (leaf === undefined)
      throw new InvalidArgumentError('serverName', `no certificate could be made for "${name}"`);
    return leaf;
  }

  /** The `tls.SecureContext` for `serverName`; see {@link leafFor}. */
  async secureContextFor(serverName: string): Promise<SecureContext> {
    return (await this.leafFor(serverName)).secureContext;
  }

  /**
   * An `SNICallback` for `tls.createServer` / `new tls.TLSSocket`: answers with the leaf for the name the
   * client asked for, or fails the handshake when no leaf can be made.
   */
  readonly sniCallback = (
    servername: string,
    callback: (err: Error | null, ctx?: SecureContext) => void,
  ): void => {
    this.secureContextFor(servername).then(
      (ctx) => callback(null, ctx),
      (err: unknown) => {
        this.#logger.warn('tls interception: no leaf certificate', { servername, error: String(err) });
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };

  /** Server-side TLS options for intercepted connections: SNI-driven leaves and ALPN http/1.1 only. */
  serverOptions(): Pick<TLSSocketOptions, 'SNICallback' | 'ALPNProtocols'> {
    return { SNICallback: this.sniCallback, ALPNProtocols: [...INTERCEPT_ALPN] };
  }

  /** Counters for tests, metrics and `declaw doctor`. */
  stats(): LeafCacheStats {
    return { mints: this.#mints, hits: this.#hits, size: this.#leaves.size };
  }

  async #mint(name: string): Promise<Leaf> {
    const started = performance.now();
    const now = this.#now().getTime();
    const issued = await this.#ca.issueLeaf({
      names: [name],
      publicKey: this.#publicKey,
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + this.#validityMs),
    });
    const secureContext = createSecureContext({ key: this.#privateKeyPem, cert: issued.certificatePem });
    this.#mints++;
    const durationMs = performance.now() - started;
    this.#onMint?.({ name, durationMs });
    this.#logger.debug('tls interception: minted leaf', { name, sandboxId: this.#ca.sandboxId, durationMs });
    return { name, certificatePem: issued.certificatePem, secureContext, notAfter: issued.notAfter };
  }
}
