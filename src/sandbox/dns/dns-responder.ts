/**
 * The DNS server sandboxes use. One responder per host serves every sandbox: the firewall redirects
 * each sandbox's queries to its gateway to the responder, which knows the sandbox by its source
 * address (sandboxes cannot spoof it: no raw sockets, and the firewall drops foreign sources).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import type { SecurityPolicy } from '../../policy/security-policy.js';
import { DnsPolicy, type DnsDecision } from './dns-policy.js';
import type { DnsUpstream } from './dns-upstream.js';

/** A query a sandbox made, as the audit log records it (never the answer data). */
export interface DnsQueryEvent {
  type: 'dns_query';
  sandboxId: string;
  /** The name asked for, as the sandbox wrote it. */
  name: string;
  /** Record type, e.g. A, AAAA, TXT. */
  qtype: string;
  /** answered (allowed or forwarded), blocked (NXDOMAIN by policy), failed (upstream error: SERVFAIL). */
  outcome: 'answered' | 'blocked' | 'failed';
  decision: DnsDecision;
  /** Response code sent back, e.g. NOERROR, NXDOMAIN. */
  rcode: string;
  /** ISO 8601 time of the query. */
  time: string;
}

/** Options of {@link DnsResponder}. */
export interface DnsResponderOptions {
  /** Address to listen on (default 127.0.0.1) and port (default 0: any free port). */
  host?: string;
  port?: number;
  upstream: DnsUpstream;
  onQuery?: (event: DnsQueryEvent) => void;
  logger?: Logger;
  /** Queries one sandbox may have in flight; more are answered SERVFAIL. Default 64. */
  maxInFlight?: number;
}

interface Session {
  sandboxId: string;
  policy: DnsPolicy;
  inFlight: number;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function reply(query: dnsPacket.DecodedPacket, rcode: number): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
  });
}

/**
 * The query sent upstream, rebuilt from the one question: whatever else the sandbox put in its
 * packet (EDNS options, extra records) never reaches the host's resolver.
 */
function cleanQuery(query: dnsPacket.DecodedPacket, question: dnsPacket.Question): Buffer {
  const edns = query.additionals?.some((a) => a.type === 'OPT');
  return dnsPacket.encode({
    type: 'query',
    id: query.id,
    flags: query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: question.name, type: question.type, class: question.class ?? 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer] : [],
  });
}

function rcodeOf(packet: Buffer): string {
  const names = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
  return packet.length >= 4 ? (names[packet.readUInt16BE(2) & 0xf] ?? 'OTHER') : 'OTHER';
}

/**
 * @example
 * const dns = new DnsResponder({ upstream: systemDnsUpstream(), onQuery: (e) => audit.emit(e) });
 * const { host, port } = await dns.start();
 * dns.addSession('10.213.0.2', { sandboxId, policy });
 */
export class DnsResponder {
  private readonly sessions = new Map<string, Session>();
  private udp?: Socket;
  private tcp?: Server;
  private readonly tcpClients = new Set<TcpSocket>();
  private readonly logger: Logger;

  constructor(private readonly options: DnsResponderOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Listen on UDP and TCP (same port). Returns where. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.options.port ?? 0, host, () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer((s) => this.onTcp(s));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, host, () => resolve());
        });
      } catch (err) {
        udp.close();
        if (this.options.port || attempt > 5) throw err;
        continue; // the free UDP port was taken for TCP: pick another
      }
      udp.on('message', (msg, from) => {
        void this.handle(msg, from.address, false).then((out) => {
          if (out) udp.send(out, from.port, from.address);
        });
      });
      udp.on('error', (err) => this.logger.warn('dns responder socket error', { error: err.message }));
      this.udp = udp;
      this.tcp = tcp;
      return { host, port };
    }
  }

  /** Serve a sandbox: queries from `sourceAddress` are answered under `policy`. */
  addSession(sourceAddress: string, session: { sandboxId: string; policy: SecurityPolicy }): void {
    this.sessions.set(sourceAddress, {
      sandboxId: session.sandboxId,
      policy: new DnsPolicy(session.policy),
      inFlight: 0,
    });
  }

  /** Stop serving a sandbox; its address then gets REFUSED. */
  removeSession(sourceAddress: string): void {
    this.sessions.delete(sourceAddress);
  }

  /** Close the sockets. */
  async close(): Promise<void> {
    for (const c of this.tcpClients) c.destroy();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
  }

  private onTcp(sock: TcpSocket): void {
    this.tcpClients.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('close', () => this.tcpClients.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.handle(Buffer.from(msg), sock.remoteAddress ?? '', true).then((out) => {
          if (!out || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        });
      }
      if (buf.length > 65_537) sock.destroy();
    });
  }

  /** Answer one query; undefined means drop it (not a well-formed query). */
  private async handle(msg: Buffer, source: string, tcp: boolean): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    if (query.type !== 'query') return undefined;
    const address = source.startsWith('::ffff:') ? source.slice(7) : source;
    const session = this.sessions.get(address);
    if (!session) return reply(query, RCODE.REFUSED);
    const question = query.questions?.[0];
    if (!question || (query.questions?.length ?? 0) !== 1) return reply(query, RCODE.REFUSED);
    const decision = session.policy.decide(question.name);
    const event = (outcome: DnsQueryEvent['outcome'], rcode: string) =>
      this.options.onQuery?.({
        type: 'dns_query',
        sandboxId: session.sandboxId,
        name: question.name,
        qtype: String(question.type),
        outcome,
        decision,
        rcode,
        time: new Date().toISOString(),
      });
    if (decision.action === 'deny') {
      event('blocked', 'NXDOMAIN');
      return reply(query, RCODE.NXDOMAIN);
    }
    if (session.inFlight >= (this.options.maxInFlight ?? 64)) {
      event('failed', 'SERVFAIL');
      return reply(query, RCODE.SERVFAIL);
    }
    session.inFlight++;
    try {
      const answer = await this.options.upstream.query(cleanQuery(query, question), { tcp });
      event('answered', rcodeOf(answer));
      return answer;
    } catch (err) {
      this.logger.debug('dns upstream failed', { name: question.name, error: (err as Error).message });
      event('failed', 'SERVFAIL');
      return reply(query, RCODE.SERVFAIL);
    } finally {
      session.inFlight--;
    }
  }
}
