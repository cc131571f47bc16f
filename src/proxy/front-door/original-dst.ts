/**
 * Where a redirected connection was really going: Linux keeps the pre-NAT destination of a connection
 * that iptables DNAT/REDIRECT sent to the proxy, readable with getsockopt(SO_ORIGINAL_DST). Node has
 * no API for it, so the call goes through the `koffi` FFI to libc, loaded only when the transparent
 * front door first needs it.
 */
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

const SOL_IP = 0;
const SOL_IPV6 = 41;
/** SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST share the number 80. */
const SO_ORIGINAL_DST = 80;
const AF_INET = 2;
const AF_INET6 = 10;

/** An original destination. */
export interface OriginalDestination {
  address: string;
  port: number;
  family: 4 | 6;
}

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number[]) => number;

/**
 * Reads SO_ORIGINAL_DST through libc; one instance per front door (it holds the loaded function).
 *
 * @example
 * const reader = new OriginalDstReader();
 * reader.read(socket); // { address: '198.51.100.7', port: 443, family: 4 } on a redirected connection
 */
export class OriginalDstReader {
  #getsockopt: GetSockOpt | undefined;
  #unavailable: string | undefined;

  /**
   * The original destination of `socket`, or undefined when there is none (the connection was not
   * redirected), the platform is not Linux, or the FFI cannot be loaded (the reason is in {@link unavailable}).
   *
   * @example
   * const dst = reader.read(socket); // { address: '93.184.216.34', port: 443, family: 4 }
   */
  read(socket: Socket): OriginalDestination | undefined {
    const fn = this.#load();
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (!fn || typeof fd !== 'number' || fd < 0) return undefined;
    const v6 = socket.localFamily === 'IPv6' && !(socket.localAddress ?? '').startsWith('::ffff:');
    const buf = Buffer.alloc(v6 ? 28 : 16);
    const len = [buf.length];
    if (fn(fd, v6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, buf, len) !== 0) return undefined;
    const family = buf.readUInt16LE(0);
    const port = buf.readUInt16BE(2);
    if (family === AF_INET) return { address: [...buf.subarray(4, 8)].join('.'), port, family: 4 };
    if (family === AF_INET6) {
      const groups: string[] = [];
      for (let i = 8; i < 24; i += 2) groups.push(buf.readUInt16BE(i).toString(16));
      return { address: new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1), port, family: 6 };
    }
    return undefined;
  }

  /** Why SO_ORIGINAL_DST cannot be read on this host, if it cannot. */
  get unavailable(): string | undefined {
    this.#load();
    return this.#unavailable;
  }

  #load(): GetSockOpt | undefined {
    if (this.#getsockopt || this.#unavailable) return this.#getsockopt;
    if (process.platform !== 'linux') {
      this.#unavailable = 'SO_ORIGINAL_DST exists on Linux only';
      return undefined;
    }
    try {
      const require = createRequire(import.meta.url);
      const koffi = require('koffi') as typeof Koffi;
      const libc = koffi.load('libc.so.6');
      this.#getsockopt = libc.func(
        'int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *length)',
      ) as unknown as GetSockOpt;
    } catch (err) {
      this.#unavailable = `cannot load libc through koffi: ${(err as Error).message}`;
    }
    return this.#getsockopt;
  }
}
