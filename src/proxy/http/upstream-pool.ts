/**
 * Keep-alive connections from the proxy to upstream servers, always to the address the egress stage
 * vetted: the name is never resolved again (DNS rebinding between check and connect fails). TLS
 * connections are verified against {@link UpstreamTrust} for the name the client asked for.
 *
 * First requests are the slow ones (a new TCP connection and TLS handshake), so the pool can open a
 * connection ahead of the request ({@link UpstreamPool.warm}) while the proxy mints the client's
 * certificate, and it keeps TLS session tickets so a new connection to a known server resumes
 * instead of doing a full handshake. Tickets never leave the pool, which belongs to one sandbox.
 */
import http, { type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { UpstreamTrust } from '../tls/upstream-trust.js';
import { DEFAULT_UPSTREAM_TIMEOUTS, UpstreamTimeoutError } from './upstream-timeouts.js';

/** Where one upstream request goes. */
export interface UpstreamTarget {
  /** Name the client asked for (SNI / Host): what the certificate must be valid for. */
  name: string;
  /** Vetted address to dial. */
  address: string;
  port: number;
  /** TLS (https) or plain TCP (http). */
  tls: boolean;
}

/** One request to send. */
export interface UpstreamRequest {
  method: string;
  /** Origin-form request target (`/path?query`). */
  path: string;
  /** Flat `[name, value, ...]` list, sent in this order. */
  headers: string[];
}

/** Options carried through Node's agent into {@link PinnedAgent.createConnection}. */
interface PinnedOptions extends http.RequestOptions {
  declawTarget: UpstreamTarget;
}

/** How long a connection opened ahead of a request waits for it before it is closed. */
const WARM_IDLE_MS = 15_000;

function poolKey(t: UpstreamTarget): string {
  return `${t.tls ? 'tls' : 'tcp'}|${t.name}|${t.address}|${t.port}`;
}

/**
 * Sockets are pooled per name, address and port, so one pinned address never serves another name.
 * Every new connection gets the connect timeout; TLS ones resume a stored session when there is one.
 */
class PinnedAgent extends http.Agent {
  readonly #tickets = new LRUCache<string, Buffer>({ max: 256 });
  readonly #warm = new Map<string, Socket[]>();

  constructor(
    private readonly trust: UpstreamTrust,
    private readonly connectMs: number,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override getName(options: PinnedOptions): string {
    return poolKey(options.declawTarget);
  }

  override createConnection(
    options: PinnedOptions,
    callback?: (err: Error | null, s: Duplex) => void,
  ): Duplex {
    void callback;
    return this.takeWarm(options.declawTarget) ?? this.dial(options.declawTarget);
  }

  /** A new connection to `t`, destroyed with an {@link UpstreamTimeoutError} when it takes too long. */
  dial(t: UpstreamTarget): Socket {
    const key = poolKey(t);
    let socket: Socket;
    if (t.tls) {
      const session = this.#tickets.get(key);
      const s = tls.connect({
        ...this.trust.connectOptions({ name: t.name, address: t.address, port: t.port }),
        ...(session ? { session } : {}),
      });
      s.on('session', (ticket: Buffer) => this.#tickets.set(key, ticket));
      socket = s;
    } else {
      socket = net.connect({ host: t.address, port: t.port });
    }
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(new UpstreamTimeoutError('connect', this.connectMs, t.name)),
      this.connectMs,
    );
    const done = (): void => clearTimeout(timer);
    socket.once(t.tls ? 'secureConnect' : 'connect', done);
    socket.once('close', done);
    return socket;
  }

  /** Opens a connection to `t` ahead of a request, unless an idle or warm one is there already. */
  warm(t: UpstreamTarget): void {
    const key = poolKey(t);
    if ((this.freeSockets[key]?.length ?? 0) > 0 || (this.#warm.get(key)?.length ?? 0) > 0) return;
    const socket = this.dial(t);
    const list = this.#warm.get(key) ?? [];
    list.push(socket);
    this.#warm.set(key, list);
    // Until a request takes it, a failure only removes it: the request will dial its own.
    const drop = (): void => {
      const l = this.#warm.get(key);
      const i = l?.indexOf(socket) ?? -1;
      if (l && i >= 0) l.splice(i, 1);
      if (l?.length === 0) this.#warm.delete(key);
      socket.destroy();
    };
    const idle = setTimeout(drop, WARM_IDLE_MS);
    idle.unref();
    socket.on('error', drop);
    socket.once('close', drop);
    (socket as Socket & { declawWarm?: () => void }).declawWarm = () => {
      clearTimeout(idle);
      socket.off('error', drop);
      socket.off('close', drop);
    };
  }

  private takeWarm(t: UpstreamTarget): Socket | undefined {
    const key = poolKey(t);
    const list = this.#warm.get(key);
    while (list && list.length > 0) {
      const socket = list.shift() as Socket & { declawWarm?: () => void };
      if (list.length === 0) this.#warm.delete(key);
      if (socket.destroyed) continue;
      socket.declawWarm?.();
      return socket;
    }
    return undefined;
  }

  override destroy(): void {
    for (const list of this.#warm.values()) for (const s of list) s.destroy();
    this.#warm.clear();
    super.destroy();
  }
}

/** Options of {@link UpstreamPool}. */
export interface UpstreamPoolOptions {
  /** Most idle connections kept per destination. Default 64. */
  maxFreeSockets?: number;
  /** Limit on TCP connect plus TLS handshake, in ms. Default {@link DEFAULT_UPSTREAM_TIMEOUTS}. */
  connectTimeoutMs?: number;
}

/**
 * The upstream side of the proxy for one sandbox.
 *
 * @example
 * const pool = new UpstreamPool(trust);
 * const req = pool.request({ name: 'api.openai.com', address: '104.18.6.192', port: 443, tls: true },
 *   { method: 'POST', path: '/v1/chat/completions', headers: ['Host', 'api.openai.com'] });
 */
export class UpstreamPool {
  readonly #agent: PinnedAgent;

  constructor(trust: UpstreamTrust, options: UpstreamPoolOptions = {}) {
    const connectMs = options.connectTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUTS.connectMs;
    this.#agent = new PinnedAgent(trust, connectMs, {
      keepAlive: true,
      maxFreeSockets: options.maxFreeSockets ?? 64,
      scheduling: 'lifo',
    });
  }

  /** Starts a request; the caller writes the body and listens for `response` and `error`. */
  request(target: UpstreamTarget, request: UpstreamRequest): ClientRequest {
    const options: PinnedOptions = {
      agent: this.#agent,
      host: target.name,
      port: target.port,
      method: request.method,
      path: request.path,
      headers: request.headers as unknown as OutgoingHttpHeaders,
      setHost: false,
      declawTarget: target,
    };
    return http.request(options);
  }

  /**
   * Opens a connection to `target` now, for a request expected soon (the client is still in its TLS
   * handshake with the proxy). Nothing happens when an idle connection is already pooled. An unused
   * one closes after 15 s.
   *
   * @example
   * pool.warm({ name: 'api.openai.com', address: '104.18.6.192', port: 443, tls: true });
   */
  warm(target: UpstreamTarget): void {
    this.#agent.warm(target);
  }

  /**
   * A raw connection for an upgraded protocol (WebSocket): the same pinning, verification and connect
   * timeout, no pooling. Resolves once connected (and the TLS handshake verified).
   */
  connectRaw(target: UpstreamTarget): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.#agent.dial(target);
      socket.once(target.tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  /** Closes every pooled connection. */
  destroy(): void {
    this.#agent.destroy();
  }
}
