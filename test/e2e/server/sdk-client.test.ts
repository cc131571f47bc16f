/**
 * The hosted product's own client, @declaw/sdk 1.3.0 unmodified, against `declaw serve`: create with
 * a SecurityPolicy, commands (foreground, streamed, background with stdin, kill, list), files
 * (write, batch, raw bytes, read, list, exists, info, rename, mkdir, remove), audit, kill. Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiClient,
  AuthenticationError,
  ConnectionConfig,
  NotFoundError,
  Sandbox,
  SandboxError,
  createPIIConfig,
  createSecurityPolicy,
  createNetworkPolicy,
  parseAuditEntry,
  PIIType,
  RedactionAction,
} from '@declaw/sdk';
import { requireRoot } from '../../helpers/root.js';
import type { Daemon } from '../../../src/server/daemon.js';
import { startTestDaemon } from './daemon-fixture.js';
import { runCli } from '../../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
let daemon: Daemon;

before(async () => {
  if (!isRoot) return;
  ({ daemon } = await startTestDaemon('tsk', 41));
});

after(async () => {
  await daemon?.close();
});

const policy = () =>
  createSecurityPolicy({
    pii: createPIIConfig({
      enabled: true,
      types: [PIIType.SSN, PIIType.Email],
      action: RedactionAction.Redact,
    }),
    network: createNetworkPolicy({ allowOut: ['*.openai.com'], denyOut: ['0.0.0.0/0'] }),
  });

test('a sandbox created with a SecurityPolicy through the SDK runs commands and reports its info', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  const sbx = await Sandbox.create({
    security: policy(),
    envs: { MODE: 'test', API_TOKEN: 'tok-secret-value' },
    metadata: { team: 'qa' },
    timeout: 120,
  });
  try {
    const r = await sbx.commands.run('echo hello $MODE; echo oops >&2; exit 3');
    assert.equal(r.stdout, 'hello test\n');
    assert.equal(r.stderr, 'oops\n');
    assert.equal(r.exitCode, 3);
    const masked = await sbx.commands.run('echo $API_TOKEN');
    assert.equal(masked.stdout, '****\n', 'values of *_TOKEN env vars are masked in output');
    const info = await sbx.getInfo();
    assert.equal(info.sandboxId, sbx.sandboxId);
    assert.deepEqual(info.metadata, { team: 'qa' });
    assert.ok(info.endAt && info.startedAt && info.endAt.getTime() - info.startedAt.getTime() > 100_000);
    assert.equal(await sbx.isRunning(), true);
    const listed = await Sandbox.list({ query: { metadata: 'team=qa' } });
    assert.deepEqual(
      listed.sandboxes.map((s) => s.sandboxId),
      [sbx.sandboxId],
    );
    const metrics = await sbx.getMetrics();
    assert.equal(metrics.length, 1);
    await sbx.setTimeout(600);
    const later = await sbx.getInfo();
    assert.ok(later.endAt && later.endAt.getTime() - Date.now() > 500_000, 'setTimeout extended the TTL');
    const connected = await Sandbox.connect(sbx.sandboxId);
    assert.equal((await connected.commands.run('echo again')).stdout, 'again\n');
  } finally {
    assert.equal(await sbx.kill({ wait: true }), true);
  }
  assert.equal(await sbx.isRunning(), false);
  await assert.rejects(() => Sandbox.connect(sbx.sandboxId), NotFoundError);
});

test('streamed and background commands: output as it comes, stdin, wait, kill, list', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  const sbx = await Sandbox.create({ timeout: 120 });
  try {
    const chunks: string[] = [];
    const streamed = await sbx.commands.runStream(
      'for i in 1 2 3; do echo line$i; sleep 0.05; done; echo err >&2; exit 4',
      {
        onStdout: (d) => chunks.push(d),
      },
    );
    assert.equal(streamed.stdout, 'line1\nline2\nline3\n');
    assert.equal(streamed.stderr, 'err\n');
    assert.equal(streamed.exitCode, 4);
    assert.ok(chunks.length >= 2, 'stdout arrived in several events');

    const cat = await sbx.commands.run('head -n 1', { background: true });
    const running = await sbx.commands.list();
    assert.ok(running.some((p) => p.pid === cat.pid && p.cmd === 'head -n 1'));
    await sbx.commands.sendStdin(cat.pid, 'from stdin\n');
    const done = await cat.wait();
    assert.equal(done.stdout, 'from stdin\n');

    const sleeper = await sbx.commands.run('sleep 300', { background: true });
    assert.equal(await sleeper.kill(), true);
    await assert.rejects(
      () => sleeper.wait(),
      (e: unknown) => e instanceof SandboxError && /exited with code/.test((e as Error).message),
    );

    const failing = await sbx.commands.run('exit 7', { background: true });
    await assert.rejects(
      () => failing.wait(),
      (e: unknown) => (e as { exitCode?: number }).exitCode === 7,
    );
  } finally {
    await sbx.kill({ wait: true });
  }
});

test('files through the SDK: write, batch, bytes, read, list, exists, info, rename, mkdir, remove', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  const sbx = await Sandbox.create({ timeout: 120 });
  try {
    const w = await sbx.files.write('/workspace/hello.txt', 'hi there\n');
    assert.deepEqual(w, { path: '/workspace/hello.txt', size: 9 });
    assert.equal(await sbx.files.read('/workspace/hello.txt'), 'hi there\n');
    const batch = await sbx.files.writeFiles([
      { path: '/workspace/a.txt', data: 'A' },
      { path: '/workspace/b.bin', data: new Uint8Array([0, 255, 1]) },
    ]);
    assert.deepEqual(
      batch.map((b) => b.size),
      [1, 3],
    );
    assert.deepEqual([...(await sbx.files.read('/workspace/b.bin', { format: 'bytes' }))], [0, 255, 1]);
    const names = (await sbx.files.list('/workspace')).map((e) => `${e.name}:${e.type}`).sort();
    assert.deepEqual(names, ['a.txt:file', 'b.bin:file', 'hello.txt:file']);
    assert.equal(await sbx.files.exists('/workspace/a.txt'), true);
    assert.equal(await sbx.files.exists('/workspace/nope'), false);
    assert.equal((await sbx.files.getInfo('/workspace/hello.txt')).size, 9);
    assert.equal(await sbx.files.makeDir('/workspace/sub'), true);
    const moved = await sbx.files.rename('/workspace/a.txt', '/workspace/sub/a.txt');
    assert.equal(moved.path, '/workspace/sub/a.txt');
    await sbx.files.remove('/workspace/hello.txt');
    assert.equal(await sbx.files.exists('/workspace/hello.txt'), false);
    assert.equal(
      (await sbx.commands.run('cat /workspace/sub/a.txt')).stdout,
      'A',
      'the sandbox sees API writes',
    );
    await assert.rejects(() => sbx.files.read('/workspace/missing'), NotFoundError);
    await assert.rejects(
      () => sbx.files.read('/etc/shadow'),
      (e: unknown) => (e as Error).message.includes('DECLAW') || /HTTP 400/.test((e as Error).message),
    );
  } finally {
    await sbx.kill({ wait: true });
  }
});

test('the audit log of a sandbox is readable through the API with the SDK client, in AuditEntry shape', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  const sbx = await Sandbox.create({ security: policy(), timeout: 60 });
  await sbx.commands.run('getent hosts denied.example || true');
  await sbx.kill({ wait: true });
  const client = new ApiClient(new ConnectionConfig());
  const page = (await client.get(`/sandboxes/${sbx.sandboxId}/audit`)) as {
    entries: Array<Record<string, unknown>>;
  };
  const types = page.entries.map((e) => e.type);
  assert.equal(types[0], 'vm_created');
  assert.equal(types.at(-1), 'vm_killed');
  assert.ok(
    page.entries.some((e) => e.type === 'dns_query' && e.host === 'denied.example'),
    'the denied lookup is audited',
  );
  const entry = parseAuditEntry(page.entries[0] as Record<string, unknown>);
  assert.ok(entry.timestamp instanceof Date && !Number.isNaN(entry.timestamp.getTime()));
  const onlyKills = (await client.get('/audit', {
    params: { sandbox_id: sbx.sandboxId, type: 'vm_killed' },
  })) as { entries: unknown[] };
  assert.equal(onlyKills.entries.length, 1);
});

test('a wrong API key is refused with 401 (AuthenticationError in the SDK)', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  await assert.rejects(() => Sandbox.list({ apiKey: 'wrong-key-123456' }), AuthenticationError);
});

test('hosted-only features answer 501 with a message saying they are not part of declaw', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  await assert.rejects(
    () => Sandbox.create({ template: 'python-data-science' }),
    (e: unknown) =>
      /HTTP 501: template "python-data-science" is not part of declaw/.test((e as Error).message),
  );
});

test('declaw ca --sandbox prints the CA certificate the sandbox trusts, never a key', async (t) => {
  if (!requireRoot(t, 'sandboxes need namespaces')) return;
  const sbx = await Sandbox.create({ security: policy(), timeout: 120 });
  try {
    const r = await runCli(['ca', '--sandbox', sbx.sandboxId, '--api-url', daemon.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^-----BEGIN CERTIFICATE-----/);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY/);
    const bundle = await sbx.commands.run('cat /etc/ssl/certs/ca-certificates.crt');
    assert.ok(bundle.stdout.includes(r.stdout.trim()), 'the sandbox trust bundle holds the same certificate');
  } finally {
    await sbx.kill();
  }
  const plain = await Sandbox.create({ timeout: 120 });
  try {
    const r = await runCli(['ca', '--sandbox', plain.sandboxId, '--api-url', daemon.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /never intercepted/);
  } finally {
    await plain.kill();
  }
});
