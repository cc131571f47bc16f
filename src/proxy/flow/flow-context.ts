/**
 * What the proxy knows about one client connection, from the front door that accepted it to the last
 * request on it. Attached to sockets in a WeakMap, so nothing outlives the connection.
 */
import type { Socket } from 'node:net';
import type { FlowMode, FrontDoor } from '../../audit/events.js';
import type { ProxySession } from '../session.js';

/** One client connection. */
export interface FlowContext {
  /** Short unique id, shared by every audit event of the connection. */
  flowId: string;
  session: ProxySession;
  frontDoor: FrontDoor;
  /** Address of the sandboxed client. */
  clientAddress: string;
  /**
   * Destination name the connection is bound to (SNI, CONNECT authority, or Host of a transparent
   * port-80 connection's first request); undefined for an explicit proxy connection carrying
   * absolute-form requests to any host.
   */
  host?: string;
  port: number;
  /** Vetted address dialled for `host`. */
  address?: string;
  mode: FlowMode;
  /** Where a transparent connection was headed (SO_ORIGINAL_DST), `ip:port`. */
  originalDst?: string;
  /** Plain-HTTP flows: vetted address per `host:port` already allowed on this connection. */
  allowed?: Map<string, string>;
}

/**
 * Which flow a socket belongs to. One per proxy; entries vanish with their sockets.
 *
 * @example
 * const flows = new FlowTable();
 * flows.set(tlsSocket, { flowId: flows.nextId(), session, frontDoor: 'explicit', clientAddress, port: 443, mode: 'intercept' });
 * flows.get(req.socket)?.session.id;
 */
export class FlowTable {
  readonly #flows = new WeakMap<object, FlowContext>();
  #next = 0;

  /** A fresh flow id. Counter-based: unique within the process, and reveals nothing. */
  nextId(): string {
    this.#next++;
    return `f${this.#next.toString(36)}`;
  }

  set(socket: Socket | object, flow: FlowContext): void {
    this.#flows.set(socket, flow);
  }

  get(socket: Socket | object): FlowContext | undefined {
    return this.#flows.get(socket);
  }
}
