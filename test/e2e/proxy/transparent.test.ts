/**
 * The transparent front door as the sandbox runtime uses it, as root: a network namespace joined to
 * the host by a veth pair, host-side iptables REDIRECT of its TCP 443/80 to the proxy, and curl inside
 * the namespace connecting to an arbitrary address. The proxy must identify the sandbox by its source
 * address, read the original destination (SO_ORIGINAL_DST) and vet the SNI/Host itself. Everything the
 * test creates is removed afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { SecurityPolicy, ALL_TRAFFIC } from '../../../src/policy/index.js';
import type { ProxyServer } from '../../../src/proxy/proxy-server.js';
import type { CollectingAuditSink } from '../../../src/audit/sink.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTransparentTestProxy } from '../../helpers/sandbox-world.js';
import { requireRoot } from '../../helpers/root.js';

const run = promisify(execFile);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const id = randomBytes(3).toString('hex');
const ns = `dclwtp${id}`;
const hostIf = `dtph${id}`;
const nsIf = `dtps${id}`;
const octet = 16 + (parseInt(id.slice(0, 2), 16) % 200);
const hostIp = `10.251.${octet}.1`;
const sandboxIp = `10.251.${octet}.2`;
/** An address nobody owns: the sandbox "thinks" it talks to it; the host redirects to the proxy. */
const FAKE_DST = '198.51.100.7';
const COMMENT = `declaw-transparent-test-${id}`;

let internet: TestInternet;
let proxy: ProxyServer;
let audit: CollectingAuditSink;
let port: number;
let dir: string;
let caFile: string;
const cleanups: Array<() => Promise<unknown>> = [];

async function sh(cmd: string, ...args: string[]): Promise<string> {
  return (await run(cmd, args)).stdout;
}

before(async () => {
  if (!isRoot) return;
  internet = await startTestInternet({
    names: ['api.openai.com', 'blocked.example'],
    address: `127.77.${octet}.1`,
    ports: { https: 443, http: 80 },
  });
  await sh('ip', 'netns', 'add', ns);
  cleanups.push(() => sh('ip', 'netns', 'del', ns));
  await sh('ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  cleanups.push(() => sh('ip', 'link', 'del', hostIf));
  await sh('ip', 'link', 'set', nsIf, 'netns', ns);
  await sh('ip', 'addr', 'add', `${hostIp}/30`, 'dev', hostIf);
  await sh('ip', 'link', 'set', hostIf, 'up');
  await sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${sandboxIp}/30`, 'dev', nsIf);
  await sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
  await sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  await sh('ip', 'netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', hostIp);
  // Only once the host side of the veth has its address can the front door listen there.
  ({ proxy, port, audit } = await startTransparentTestProxy(internet, { host: hostIp, peekTimeoutMs: 2000 }));
  const session = await proxy.sessions.add({
    id: `sbx-${id}`,
    sourceAddresses: [sandboxIp],
    policy: SecurityPolicy.from({
      pii: { enabled: true, types: ['ssn'], rehydrateResponse: true },
      network: { allowOut: ['api.openai.com'], denyOut: [ALL_TRAFFIC] },
    }),
  });
  dir = mkdtempSync(join(tmpdir(), 'declaw-tp-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, session.ca.certificatePem);
  for (const dport of ['443', '80']) {
    const rule = [
      '-t',
      'nat',
      'PREROUTING',
      '-i',
      hostIf,
      '-p',
      'tcp',
      '--dport',
      dport,
      '-m',
      'comment',
      '--comment',
      COMMENT,
      '-j',
      'REDIRECT',
      '--to-ports',
      String(port),
    ];
    await sh('iptables', '-t', 'nat', '-A', ...rule.slice(2));
    cleanups.push(() => sh('iptables', '-t', 'nat', '-D', ...rule.slice(2)));
  }
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await proxy?.close();
  await internet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function curlInSandbox(...args: string[]) {
  return run('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '10', ...args]);
}

test('transparent HTTPS: sandbox identified by source, original destination recorded, PII redacted', async (t) => {
  if (!requireRoot(t, 'creates a network namespace, a veth pair and iptables rules')) return;
  const { stdout } = await curlInSandbox(
    '--cacert',
    caFile,
    '--resolve',
    `api.openai.com:443:${FAKE_DST}`,
    '-H',
    'content-type: application/json',
    '--data',
    JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'SSN 123-45-6789' }] }),
    'https://api.openai.com/v1/chat/completions',
  );
  assert.match(stdout, /You said: SSN 123-45-6789/);
  assert.doesNotMatch(internet.requests.at(-1)!.body, /123-45-6789/);
  const allowed = audit.ofType('egress_allowed').at(-1)!;
  assert.equal(allowed.frontDoor, 'transparent');
  assert.equal(allowed.sandboxId, `sbx-${id}`);
  assert.equal(allowed.originalDst, `${FAKE_DST}:443`);
  assert.equal(allowed.mode, 'intercept');
});

test('transparent HTTP on port 80: the Host header decides', async (t) => {
  if (!requireRoot(t, 'creates a network namespace, a veth pair and iptables rules')) return;
  const { stdout } = await curlInSandbox(
    '--resolve',
    `api.openai.com:80:${FAKE_DST}`,
    'http://api.openai.com/plain?x=1',
  );
  assert.match(stdout, /"path":"\/plain\?x=1"/);
  const allowed = audit.ofType('egress_allowed').at(-1)!;
  assert.equal(allowed.mode, 'http');
  assert.equal(allowed.originalDst, `${FAKE_DST}:80`);
});

test('transparent: a host outside allow_out is refused whatever address the sandbox dialled', async (t) => {
  if (!requireRoot(t, 'creates a network namespace, a veth pair and iptables rules')) return;
  const before = internet.requests.length;
  await assert.rejects(
    curlInSandbox(
      '--cacert',
      caFile,
      '--resolve',
      `blocked.example:443:${FAKE_DST}`,
      'https://blocked.example/',
    ),
  );
  assert.equal(internet.requests.length, before);
  const blocked = audit.ofType('egress_blocked').at(-1)!;
  assert.equal(blocked.host, 'blocked.example');
  assert.equal(blocked.reason, 'deny_rule');
  assert.equal(blocked.originalDst, `${FAKE_DST}:443`);
});
