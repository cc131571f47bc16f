/**
 * Where the DNS responder sends the queries it does not refuse: the host's own resolvers (from
 * /etc/resolv.conf) by default, or a fixed map for tests so nothing ever leaves the machine.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, connect } from 'node:net';
import * as dnsPacket from 'dns-packet';

/** Answers one raw DNS query packet with a raw response packet (same id). */
export interface DnsUpstream {
  query(packet: Buffer, options: { tcp: boolean }): Promise<Buffer>;
}

/** The nameservers of a resolv.conf text (IPv4 and IPv6 literals, in order). */
export function resolvConfServers(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === 'nameserver' && w[1] && isIP(w[1].split('%')[0] ?? '') !== 0)
    .map((w) => w[1] as string);
}

function udpExchange(server: string, port: number, packet: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIP(server) === 6 ? 'udp6' : 'udp4');
    const id = packet.readUInt16BE(0);
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`${server} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('message', (msg) => {
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return; // not ours: keep waiting
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(packet, port, server);
  });
}

function tcpExchange(server: string, port: number, packet: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server, port });
    let buf = Buffer.alloc(0);
    sock.setTimeout(timeoutMs, () =>
      sock.destroy(new Error(`${server} did not answer within ${timeoutMs} ms`)),
    );
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(packet.length);
      sock.write(Buffer.concat([len, packet]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`${server} closed the connection`)));
  });
}

/**
 * Forward raw queries to the host's resolvers, under a fresh random id per query (so a sandbox
 * cannot choose the ids the host's resolver sees), trying each server in turn.
 *
 * @param options.servers default: the nameservers of the host's /etc/resolv.conf.
 * @param options.port default 53 (tests point it at a local fake).
 * @example const upstream = systemDnsUpstream();
 */
export function systemDnsUpstream(
  options: { servers?: readonly string[]; port?: number; timeoutMs?: number } = {},
): DnsUpstream {
  const list = options.servers ?? resolvConfServers(readFileSync('/etc/resolv.conf', 'utf8'));
  const port = options.port ?? 53;
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async query(packet, { tcp }) {
      const clientId = packet.readUInt16BE(0);
      const out = Buffer.from(packet);
      out.writeUInt16BE(randomInt(0, 0x10000), 0);
      let last: unknown = new Error('the host has no nameserver in /etc/resolv.conf');
      for (const server of list) {
        try {
          const answer = Buffer.from(
            tcp
              ? await tcpExchange(server, port, out, timeoutMs)
              : await udpExchange(server, port, out, timeoutMs),
          );
          answer.writeUInt16BE(clientId, 0);
          return answer;
        } catch (err) {
          last = err;
        }
      }
      throw last;
    },
  };
}

/**
 * A fixed name → addresses map, for tests: A and AAAA queries for a mapped name are answered from
 * it, other types get an empty NOERROR answer, and unmapped names NXDOMAIN.
 *
 * @example const upstream = mapDnsUpstream({ 'api.openai.com': '198.19.1.2' });
 */
export function mapDnsUpstream(map: Readonly<Record<string, string | readonly string[]>>): DnsUpstream {
  const table = new Map(
    Object.entries(map).map(([k, v]) => [
      k.toLowerCase().replace(/\.$/, ''),
      typeof v === 'string' ? [v] : [...v],
    ]),
  );
  return {
    async query(packet) {
      const q = dnsPacket.decode(packet);
      const question = q.questions?.[0];
      const name = (question?.name ?? '').toLowerCase().replace(/\.$/, '');
      const addrs = table.get(name);
      const type = question?.type;
      const answers: dnsPacket.Answer[] = (addrs ?? [])
        .filter((a) => (type === 'A' && isIP(a) === 4) || (type === 'AAAA' && isIP(a) === 6))
        .map((a) => ({ type: type as 'A' | 'AAAA', name: question?.name ?? '', ttl: 60, data: a }));
      return dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (addrs ? 0 : 3),
        questions: q.questions,
        answers,
      });
    },
  };
}
