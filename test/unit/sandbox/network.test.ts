import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { AddressPool } from '../../../src/sandbox/address-pool.js';
import { Firewall, countRules, sandboxChainPattern, tagChainPattern } from '../../../src/sandbox/firewall.js';
import type { FirewallPlan } from '../../../src/sandbox/firewall-rules.js';
import { runHostTool } from '../../../src/sandbox/host-exec.js';
import { newSandboxId, sandboxNames, type SandboxNames } from '../../../src/sandbox/names.js';
import {
  createNetwork,
  deleteNetwork,
  enableForwarding,
  listLinks,
  listNetns,
} from '../../../src/sandbox/netns.js';
import { parseNetworkEntry } from '../../../src/policy/network-entry.js';
import { requireRoot } from '../../helpers/root.js';
import { createTestInternet, PROBE, type TestInternet } from './helpers/test-internet.js';

const TAG = 'tnw';
const isRoot = process.getuid?.() === 0;
let internet: TestInternet | undefined;
let pool: AddressPool;
const firewall = new Firewall();
let proxy: Server;
let dns: Socket;
const proxyHits: string[] = [];
const dnsHits: string[] = [];

async function cleanupTag(): Promise<void> {
  await firewall.removeMatching(tagChainPattern(TAG));
  for (const ns of await listNetns())
    if (ns.startsWith(`declaw-${TAG}-`)) await runHostTool('ip', ['netns', 'delete', ns]);
  for (const l of await listLinks())
    if (l.startsWith(`${TAG}h`)) await runHostTool('ip', ['link', 'delete', l]);
}

before(async () => {
  if (!isRoot) return;
  await cleanupTag();
  internet = await createTestInternet('nw', 41, [
    { name: 'allowed', tcp: [80, 443, 8080], udp: [53, 9999] },
    { name: 'denied', tcp: [80, 443, 8080], udp: [9999] },
  ]);
  pool = await AddressPool.create({ ipv4: '10.214.41.0/24', ipv6: 'fd64:dec1:a041::/64' });
  proxy = createServer((s) => {
    proxyHits.push(`${s.remoteAddress}`);
    s.end('hello from the proxy\n');
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  dns = createSocket('udp4');
  dns.on('message', (m, from) => {
    dnsHits.push(from.address);
    dns.send(`dns responder: ${m}`, from.port, from.address);
  });
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
});

after(async () => {
  if (!isRoot) return;
  proxy?.close();
  dns?.close();
  await internet?.destroy();
  await cleanupTag();
});

interface Built {
  names: SandboxNames;
  plan: FirewallPlan;
  probe(mode: 'tcp' | 'udp', host: string, port: number): Promise<string>;
  destroy(): Promise<void>;
}

async function build(allow: string[], deny: string[], options: { proxy?: boolean } = {}): Promise<Built> {
  const names = sandboxNames(TAG, newSandboxId());
  const addr = pool.allocate();
  await createNetwork(names, addr);
  const plan: FirewallPlan = {
    names,
    sandboxV4: addr.sandboxV4,
    gatewayV4: addr.gatewayV4,
    sandboxV6: addr.sandboxV6,
    allow: allow.map((e) => parseNetworkEntry(e)),
    deny: deny.map((e) => parseNetworkEntry(e)),
    dns: { host: '127.0.0.1', port: (dns.address() as AddressInfo).port },
    proxy: options.proxy ? { host: '127.0.0.1', port: (proxy.address() as AddressInfo).port } : undefined,
    trustedRanges: internet?.trustedRanges,
  };
  await firewall.install(plan);
  await enableForwarding(names, { loopbackServices: true, ipv6: true });
  return {
    names,
    plan,
    async probe(mode, host, port) {
      const r = await runHostTool('ip', [
        'netns',
        'exec',
        names.netns,
        'python3',
        PROBE,
        mode,
        host,
        String(port),
        '1',
      ]);
      return r.stdout.trim();
    },
    async destroy() {
      await firewall.remove(names);
      await deleteNetwork(names);
      pool.release(addr.slot);
    },
  };
}

test('an IP-only policy: allow_out beats deny_out ALL_TRAFFIC, other hosts and UDP are dropped', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const net = internet as TestInternet;
  const sbx = await build([net.host('allowed').v4], ['0.0.0.0/0']);
  try {
    assert.match(await sbx.probe('tcp', net.host('allowed').v4, 8080), /^ok hello from allowed tcp 8080/);
    assert.match(
      await sbx.probe('tcp', net.host('allowed').v4, 443),
      /^ok hello from allowed tcp 443/,
      'no proxy for IP-only policies',
    );
    assert.match(await sbx.probe('tcp', net.host('denied').v4, 8080), /^fail/);
    assert.match(
      await sbx.probe('udp', net.host('allowed').v4, 9999),
      /^fail/,
      'UDP is closed when egress is restricted',
    );
    assert.match(
      await sbx.probe('udp', net.host('allowed').v4, 53),
      /^fail/,
      'DNS to another resolver is closed',
    );
    assert.match(await sbx.probe('tcp', net.host('allowed').v6, 8080), /^fail/, 'no IPv6 unless allowed');
  } finally {
    await sbx.destroy();
  }
});

test('a deny rule for one host leaves other hosts open, and IPv6 stays closed without an IPv6 rule', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const net = internet as TestInternet;
  const sbx = await build([], [net.host('denied').v4]);
  try {
    assert.match(await sbx.probe('tcp', net.host('allowed').v4, 8080), /^ok hello from allowed/);
    assert.match(await sbx.probe('tcp', net.host('denied').v4, 8080), /^fail/);
    assert.match(await sbx.probe('tcp', net.host('denied').v6, 8080), /^fail/);
    assert.match(await sbx.probe('tcp', net.host('allowed').v6, 8080), /^fail/);
  } finally {
    await sbx.destroy();
  }
});

test('an open policy forwards TCP and UDP to test hosts but never to the host or to special ranges', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const net = internet as TestInternet;
  const sbx = await build([], []);
  try {
    assert.match(await sbx.probe('tcp', net.host('denied').v4, 8080), /^ok hello from denied/);
    assert.match(await sbx.probe('udp', net.host('denied').v4, 9999), /^ok denied udp 9999: ping/);
    // The host's own side of the test link is an address of the host: not reachable on any port.
    const hostPort = (proxy.address() as AddressInfo).port;
    assert.match(await sbx.probe('tcp', net.host('allowed').hostSideV4, hostPort), /^fail/);
    assert.match(await sbx.probe('tcp', sbx.plan.gatewayV4, hostPort), /^fail/);
    assert.match(await sbx.probe('tcp', '169.254.169.254', 80), /^fail/);
  } finally {
    await sbx.destroy();
  }
});

test('an allowed IPv6 destination is reachable when the kernel forwards IPv6 per interface', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const net = internet as TestInternet;
  const sbx = await build([`${net.host('allowed').v6}`], ['0.0.0.0/0']);
  try {
    const forwarding = await runHostTool(
      'cat',
      [`/proc/sys/net/ipv6/conf/${sbx.names.hostIf}/force_forwarding`],
      {
        allowFailure: true,
      },
    );
    if (forwarding.stdout.trim() !== '1') {
      t.skip('this kernel cannot forward IPv6 per interface (needs 6.17+)');
      return;
    }
    assert.match(await sbx.probe('tcp', net.host('allowed').v6, 8080), /^ok hello from allowed tcp 8080/);
    assert.match(await sbx.probe('tcp', net.host('denied').v6, 8080), /^fail/);
  } finally {
    await sbx.destroy();
  }
});

test('with domain rules, TCP 80 and 443 go to the proxy and DNS to the gateway goes to the responder', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const net = internet as TestInternet;
  const sbx = await build(['api.example.com'], ['0.0.0.0/0'], { proxy: true });
  try {
    proxyHits.length = 0;
    dnsHits.length = 0;
    assert.match(await sbx.probe('tcp', net.host('denied').v4, 443), /^ok hello from the proxy/);
    assert.match(await sbx.probe('tcp', net.host('allowed').v4, 80), /^ok hello from the proxy/);
    assert.deepEqual(
      proxyHits,
      [sbx.plan.sandboxV4, sbx.plan.sandboxV4],
      'the proxy sees the sandbox address',
    );
    assert.match(await sbx.probe('udp', sbx.plan.gatewayV4, 53), /^ok dns responder: ping/);
    assert.deepEqual(dnsHits, [sbx.plan.sandboxV4]);
    // The proxy's real port is not reachable directly, only through the redirect.
    const port = (proxy.address() as AddressInfo).port;
    assert.match(await sbx.probe('tcp', sbx.plan.gatewayV4, port), /^fail/);
    assert.match(await sbx.probe('tcp', net.host('allowed').v4, 8080), /^fail/);
  } finally {
    await sbx.destroy();
  }
});

test('removing a sandbox network leaves no namespace, link, chain or rule behind', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const built: Built[] = [];
  for (let i = 0; i < 3; i++) built.push(await build(['10.0.0.0/8'], ['0.0.0.0/0'], { proxy: i === 0 }));
  const one = await countRules(sandboxChainPattern(built[0]?.names as SandboxNames));
  assert.ok(one.chains >= 8 && one.rules > 20, JSON.stringify(one));
  for (const b of built) await b.destroy();
  assert.deepEqual(await countRules(tagChainPattern(TAG)), { chains: 0, rules: 0 });
  // Only this file's objects are counted: other programs may add or remove theirs meanwhile.
  assert.equal((await listNetns()).filter((n) => n.startsWith(`declaw-${TAG}-`)).length, 0);
  assert.equal((await listLinks()).filter((l) => l.startsWith(`${TAG}h`)).length, 0);
});

test('1,000 network create/remove cycles leave no namespace, link, chain or rule behind', async (t) => {
  if (!requireRoot(t, 'network namespaces and host firewall')) return;
  const cycles = Number(process.env.DECLAW_NETWORK_CYCLES ?? 1000);
  const started = performance.now();
  for (let i = 0; i < cycles; i++) {
    const b = await build(['203.0.113.0/24'], ['0.0.0.0/0'], { proxy: i % 2 === 0 });
    await b.destroy();
  }
  assert.deepEqual(await countRules(tagChainPattern(TAG)), { chains: 0, rules: 0 });
  assert.equal((await listNetns()).filter((n) => n.startsWith(`declaw-${TAG}-`)).length, 0);
  assert.equal((await listLinks()).filter((l) => l.startsWith(`${TAG}h`)).length, 0);
  assert.equal(pool.size, 0, 'every address block was given back');
  t.diagnostic(`${cycles} cycles, ${((performance.now() - started) / cycles).toFixed(1)} ms each`);
});
