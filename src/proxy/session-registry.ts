import { InvalidArgumentError } from '../errors.js';
import { canonicalIpLiteral } from './egress/ip-literal.js';
import { ProxySession, type SessionSpec, type SharedEngines } from './session.js';

/**
 * The sandboxes a proxy serves. The sandbox runtime adds one when it creates a sandbox and removes it
 * when the sandbox dies; the transparent front door finds a session by source address, the explicit
 * one by listener or `Proxy-Authorization`.
 *
 * @example
 * const session = await proxy.sessions.add({ id: 'sbx-1', policy, sourceAddresses: ['10.200.0.2'] });
 * proxy.sessions.bySourceAddress('10.200.0.2') === session; // true
 * proxy.sessions.remove('sbx-1');
 */
export class SessionRegistry {
  readonly #byId = new Map<string, ProxySession>();
  readonly #bySource = new Map<string, ProxySession>();
  readonly #pending = new Set<string>();

  constructor(private readonly shared: SharedEngines) {}

  /**
   * Registers a sandbox and returns its session (with its CA and secret placeholders).
   *
   * @throws {InvalidArgumentError} when the id or a source address is already registered.
   */
  async add(spec: SessionSpec): Promise<ProxySession> {
    if (this.#byId.has(spec.id) || this.#pending.has(spec.id)) {
      throw new InvalidArgumentError('id', `a session "${spec.id}" is already registered; remove it first`);
    }
    for (const a of spec.sourceAddresses ?? []) {
      const ip = canonicalIpLiteral(a)?.address;
      if (ip !== undefined && this.#bySource.has(ip)) {
        throw new InvalidArgumentError(
          'sourceAddresses',
          `${ip} already belongs to session "${this.#bySource.get(ip)!.id}"; remove that session first`,
        );
      }
    }
    this.#pending.add(spec.id);
    try {
      const session = await ProxySession.create(spec, this.shared);
      this.#byId.set(session.id, session);
      for (const a of session.sourceAddresses) this.#bySource.set(a, session);
      return session;
    } finally {
      this.#pending.delete(spec.id);
    }
  }

  /** Unregisters a sandbox; its pooled connections close and its tokens are wiped. Returns false if unknown. */
  remove(id: string): boolean {
    const session = this.#byId.get(id);
    if (!session) return false;
    this.#byId.delete(id);
    for (const a of session.sourceAddresses) if (this.#bySource.get(a) === session) this.#bySource.delete(a);
    session.close();
    return true;
  }

  get(id: string): ProxySession | undefined {
    return this.#byId.get(id);
  }

  /** The session whose sandbox uses `address` (any spelling of the IP). */
  bySourceAddress(address: string): ProxySession | undefined {
    const ip = canonicalIpLiteral(address.replace(/^::ffff:(?=\d+\.)/i, ''))?.address;
    return ip === undefined ? undefined : this.#bySource.get(ip);
  }

  list(): ProxySession[] {
    return [...this.#byId.values()];
  }

  /** Removes every session. */
  clear(): void {
    for (const id of [...this.#byId.keys()]) this.remove(id);
  }
}
