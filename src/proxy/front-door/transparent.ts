/**
 * The transparent front door: connections a sandbox made to any address on TCP 443 or 80, redirected
 * here by the host's iptables (DNAT/REDIRECT). The sandbox is identified by the connection's source
 * address; the original destination (SO_ORIGINAL_DST) is recorded. On 443 the ClientHello's SNI names
 * the destination (none, ECH, or non-TLS bytes are refused); on 80 each request's Host does. The
 * proxy resolves and vets the name itself and dials that address, never the original one, so a
 * forged SNI cannot reach an address the policy refuses.
 */
import net, { type AddressInfo, type Socket } from 'node:net';
import { peekClientHello } from '../tls/peek-client-hello.js';
import type { FlowContext, FlowTable } from '../flow/flow-context.js';
import {
  checkHello,
  dialVetted,
  intercept,
  prepareIntercept,
  recordAllowed,
  recordBlocked,
  splice,
  type FlowDeps,
} from '../flow/tls-flow.js';
import type { SessionRegistry } from '../session-registry.js';
import { OriginalDstReader } from './original-dst.js';
import { UpstreamTimeoutError } from '../http/upstream-timeouts.js';

/** What the transparent front door needs from the proxy. */
export interface TransparentDeps extends FlowDeps {
  sessions: SessionRegistry;
  flows: FlowTable;
  peekTimeoutMs: number;
}

/** Options of one transparent listener. */
export interface TransparentListenOptions {
  /** Default 0.0.0.0 (redirected connections arrive on the host side of each veth). */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Original destination ports carrying plain HTTP. Default [80]; every other port is TLS. */
  plainHttpPorts?: readonly number[];
  /**
   * Port assumed when SO_ORIGINAL_DST cannot be read (a connection made to the listener directly, as
   * tests do without iptables). Default 443.
   */
  assumedPort?: number;
}

/**
 * One transparent listener.
 *
 * @example
 * const door = new TransparentFrontDoor(deps, { host: '0.0.0.0', port: 15001 });
 * await door.listen(); // iptables: -t nat -A PREROUTING -i veth-sbx -p tcp --dport 443 -j REDIRECT --to-ports 15001
 */
export class TransparentFrontDoor {
  readonly server: net.Server;
  readonly #reader = new OriginalDstReader();
  readonly #plain: ReadonlySet<number>;
  readonly #sockets = new Set<Socket>();

  constructor(
    private readonly deps: TransparentDeps,
    private readonly options: TransparentListenOptions,
  ) {
    this.#plain = new Set(options.plainHttpPorts ?? [80]);
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      void this.onConnection(socket);
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async onConnection(socket: Socket): Promise<void> {
    try {
      socket.setNoDelay(true);
      const client = socket.remoteAddress ?? '';
      const session = this.deps.sessions.bySourceAddress(client);
      if (!session) {
        this.deps.logger.warn('proxy: redirected connection from an address no sandbox owns; closed', {
          client,
        });
        return void socket.destroy();
      }
      const dst = this.#reader.read(socket);
      const port = dst?.port ?? this.options.assumedPort ?? 443;
      const flow: FlowContext = {
        flowId: this.deps.flows.nextId(),
        session,
        frontDoor: 'transparent',
        clientAddress: client,
        port,
        mode: 'http',
        ...(dst
          ? { originalDst: dst.family === 6 ? `[${dst.address}]:${dst.port}` : `${dst.address}:${dst.port}` }
          : {}),
      };
      if (this.#plain.has(port)) return this.deps.serveHttp(socket, flow);

      const peeked = await peekClientHello(socket, { timeoutMs: this.deps.peekTimeoutMs });
      const hello = checkHello(peeked, undefined);
      if (hello.kind !== 'tls') {
        const refusal =
          hello.kind === 'refused'
            ? hello.refusal
            : { reason: 'not_tls', detail: `the client sent non-TLS bytes to port ${port}` };
        recordBlocked(this.deps, flow, refusal.reason, refusal.detail);
        return void socket.destroy();
      }
      flow.host = hello.host;
      flow.mode = session.intercepts ? 'intercept' : 'splice';
      const decision = await session.egress.decide(hello.host);
      if (!decision.allowed) {
        recordBlocked(this.deps, flow, decision.reason, decision.detail, decision.rule);
        return void socket.destroy();
      }
      flow.address = decision.addresses[0]!.address;
      recordAllowed(this.deps, flow, decision);
      if (session.intercepts) {
        prepareIntercept(flow);
        return await intercept(socket, flow, this.deps);
      }
      let upstream: Socket;
      try {
        upstream = await dialVetted(flow, this.deps.connectTimeoutMs);
      } catch (err) {
        if (err instanceof UpstreamTimeoutError) {
          const { stage, timeoutMs } = err;
          this.deps.recorder.record(flow, { type: 'upstream_timeout', stage, timeoutMs, answered: false });
        }
        this.deps.logger.info('proxy: upstream unreachable', { host: flow.host, error: String(err) });
        return void socket.destroy();
      }
      splice(socket, upstream);
    } catch (err) {
      this.deps.logger.error('proxy: internal error on a redirected connection; closed', {
        error: String(err),
      });
      socket.destroy();
    }
  }
}
