/**
 * declaw's own SDK, the same scenario remote (through `declaw serve`) and embedded (the runtime in
 * this process): seed-style policy constructors, files, commands with CommandExitError carrying the
 * result, background commands, setTimeout, audit, kill, typed errors. Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_TRAFFIC,
  CommandExitError,
  EmbeddedBackend,
  PIIConfig,
  PolicyInvalidError,
  Sandbox,
  SandboxNotFoundError,
  type ConnectOptions,
} from '../../../src/sdk/index.js';
import { mapDnsUpstream } from '../../../src/sandbox/dns/dns-upstream.js';
import type { Daemon } from '../../../src/server/daemon.js';
import { requireRoot } from '../../helpers/root.js';
import { startTestDaemon } from '../../e2e/server/daemon-fixture.js';

const isRoot = process.getuid?.() === 0;
let daemon: Daemon;
let embedded: EmbeddedBackend;
const modes: Record<string, () => ConnectOptions> = {
  remote: () => ({ apiUrl: daemon.url, apiKey: process.env.DECLAW_API_KEY }),
  embedded: () => ({ backend: embedded }),
};

before(async () => {
  if (!isRoot) return;
  ({ daemon } = await startTestDaemon('tsr', 43));
  embedded = await EmbeddedBackend.start({
    tag: 'tse',
    stateRoot: mkdtempSync(join(tmpdir(), 'declaw-tse-')),
    ipv4Pool: '10.215.44.0/24',
    ipv6Pool: null,
    uidBase: 1_300_044_000,
    dnsUpstream: mapDnsUpstream({}),
  });
});

after(async () => {
  await daemon?.close();
  await embedded?.close();
});

for (const [mode, conn] of Object.entries(modes)) {
  test(`${mode}: create with seed-style constructors, files, commands, audit, kill`, async (t) => {
    if (!requireRoot(t, 'sandboxes need namespaces')) return;
    const sbx = await Sandbox.create({
      ...conn(),
      security: {
        pii: PIIConfig({ enabled: true, types: ['ssn'] }),
        network: { allowOut: ['*.openai.com'], denyOut: [ALL_TRAFFIC] },
      },
      envs: { GREETING: 'hi' },
      metadata: { mode },
      timeout: 60,
    });
    try {
      await sbx.files.write('/workspace/a.sh', 'echo $GREETING from script\n');
      assert.equal(await sbx.files.read('/workspace/a.sh'), 'echo $GREETING from script\n');
      assert.deepEqual(
        (await sbx.files.list('/workspace')).map((e) => e.name),
        ['a.sh'],
      );
      const r = await sbx.commands.run('sh /workspace/a.sh');
      assert.equal(r.stdout, 'hi from script\n');
      const err = await sbx.commands.run('echo partial; exit 5').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CommandExitError);
      assert.equal(err.result.exitCode, 5);
      assert.equal(err.result.stdout, 'partial\n');
      const bg = await sbx.commands.run('read x; echo got $x', { background: true });
      await bg.sendStdin('it\n');
      assert.equal((await bg.wait()).stdout, 'got it\n');
      const streamed: string[] = [];
      await sbx.commands.run('echo one; echo two', { onStdout: (d) => streamed.push(d) });
      assert.equal(streamed.join(''), 'one\ntwo\n');
      await sbx.setTimeout(120);
      assert.ok((await sbx.getInfo()).endAt.getTime() - Date.now() > 100_000);
      assert.ok((await Sandbox.list(conn())).some((s) => s.sandboxId === sbx.sandboxId));
      const again = await Sandbox.connect(sbx.sandboxId, conn());
      assert.equal(await again.files.exists('/workspace/a.sh'), true);
    } finally {
      assert.equal(await sbx.kill(), true);
    }
    assert.equal(await sbx.kill(), false, 'a second kill says it was already gone');
    await assert.rejects(() => Sandbox.connect(sbx.sandboxId, conn()), SandboxNotFoundError);
    const audit = await sbx.audit();
    assert.deepEqual(
      audit.entries.map((e) => e.type),
      ['vm_created', 'vm_killed'],
    );
  });

  test(`${mode}: an invalid policy is a PolicyInvalidError naming the field`, async (t) => {
    if (!requireRoot(t, 'sandboxes need namespaces')) return;
    await assert.rejects(
      () => Sandbox.create({ ...conn(), security: { pii: { enabled: true, types: ['shoe_size'] } } }),
      (e: unknown) => e instanceof PolicyInvalidError && /types/.test(e.message),
    );
  });
}

test('without a daemon URL or a backend, create says how to choose one', async () => {
  await assert.rejects(() => Sandbox.create({ env: {} }), /DECLAW_API_URL and DECLAW_API_KEY/);
});
