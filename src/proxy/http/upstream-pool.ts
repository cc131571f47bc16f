/**
 * Keep-alive connections from the proxy to upstream servers, always to the address the egress stage
 * vetted: the name is never resolved again (DNS rebinding between check and connect fails). TLS
 * connections are verified against {@link UpstreamTrust} for the name the client asked for.
 */
import http, { type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { UpstreamTrust } from '../tls/upstream-trust.js';

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

/** Sockets are pooled per name, address and port, so one pinned address never serves another name. */
class PinnedAgent extends http.Agent {
  constructor(
    private readonly trust: UpstreamTrust,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override getName(options: PinnedOptions): string {
    const t = options.declawTarget;
    return `${t.tls ? 'tls' : 'tcp'}|${t.name}|${t.address}|${t.port}`;
  }

  override createConnection(
    options: PinnedOptions,
    callback?: (err: Error | null, s: Duplex) => void,
  ): Duplex {
    const t = options.declawTarget;
    let socket: Socket;
    if (t.tls) {
      socket = tls.connect(this.trust.connectOptions({ name: t.name, address: t.address, port: t.port }));
    } else {
      socket = net.connect({ host: t.address, port: t.port });
    }
    socket.setNoDelay(true);
    void callback;
    return socket;
  }
}

/** Options of {@link UpstreamPool}. */
export interface UpstreamPoolOptions {
  /** Most idle connections kept per destination. Default 64. */
  maxFreeSockets?: number;
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
  readonly #trust: UpstreamTrust;

  constructor(trust: UpstreamTrust, options: UpstreamPoolOptions = {}) {
    this.#trust = trust;
    this.#agent = new PinnedAgent(trust, {
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
   * A raw connection for an upgraded protocol (WebSocket): the same pinning and verification, no
   * pooling. Resolves once connected (and the TLS handshake verified).
   */
  connectRaw(target: UpstreamTarget): Promise<Socket> {
    const trust = this.#trust;
    return new Promise((resolve, reject) => {
      const socket = target.tls
        ? tls.connect(trust.connectOptions({ name: target.name, address: target.address, port: target.port }))
        : net.connect({ host: target.address, port: target.port });
      socket.setNoDelay(true);
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
