import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxManager } from '../../../src/sandbox/sandbox-manager.js';
import { countRules, tagChainPattern } from '../../../src/sandbox/firewall.js';
import { listLinks, listNetns } from '../../../src/sandbox/netns.js';
import { listCgroupChildren } from '../../../src/sandbox/cgroups.js';
import { PreflightFailedError, SandboxNotFoundError } from '../../../src/errors.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { VmKilledEvent } from '../../../src/sandbox/events.js';
import { requireRoot } from '../../helpers/root.js';
import { testManager } from './helpers/manager.js';

/** Everything of a tag on the host: what a leak would show. */
async function traces(manager: SandboxManager) {
  const tag = manager.tag;
  return {
    netns: (await listNetns()).filter((n) => n.startsWith(`declaw-${tag}-`)).length,
    links: (await listLinks()).filter((l) => l.startsWith(`${tag}h`)).length,
    rules: await countRules(tagChainPattern(tag)),
    cgroups: (await listCgroupChildren(manager.cgroups, `declaw-${tag}`)).length,
    stateDirs: readdirSync(manager.stateRoot).filter((d) => d.startsWith(`${tag}-`)).length,
  };
}

const NOTHING = { netns: 0, links: 0, rules: { chains: 0, rules: 0 }, cgroups: 0, stateDirs: 0 };

test('a host that fails preflight cannot start a manager: never a quietly weaker sandbox', async () => {
  await assert.rejects(
    SandboxManager.start({
      preflight: async () => ({
        ok: false,
        cgroups: { version: 'none', mounts: {}, notes: [] },
        checks: [
          {
            name: 'bubblewrap',
            ok: false,
            required: true,
            detail: 'bwrap not found',
            fix: 'apt-get install -y bubblewrap',
          },
        ],
      }),
    }),
    (e: unknown) => e instanceof PreflightFailedError && /apt-get install -y bubblewrap/.test(e.message),
  );
});

test('kill removes every trace: namespace, link, rules, cgroups and files; events tell the story', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const { manager, events } = await testManager('tlk', 21);
  try {
    const sbx = await manager.create({ metadata: { owner: 'test' } });
    const during = await traces(manager);
    assert.equal(during.netns, 1);
    assert.equal(during.links, 1);
    assert.ok(during.rules.chains > 0);
    assert.equal(during.stateDirs, 1);
    assert.deepEqual(
      manager.list().map((i) => i.sandboxId),
      [sbx.id],
    );
    assert.equal(manager.list()[0]?.metadata.owner, 'test');
    assert.equal(await sbx.kill(), true);
    assert.deepEqual(await traces(manager), NOTHING);
    assert.equal(await sbx.kill(), false);
    assert.throws(() => manager.get(sbx.id), SandboxNotFoundError);
    assert.deepEqual(
      events.filter((e) => e.type !== 'dns_query').map((e) => `${e.type} ${e.sandboxId}`),
      [`vm_created ${sbx.id}`, `vm_killed ${sbx.id}`],
    );
  } finally {
    await manager.close();
  }
});

test('a TTL expires the sandbox and removes it; setTimeout extends it', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const { manager, events } = await testManager('tttl', 22);
  try {
    const short = await manager.create({ timeoutMs: 1000 });
    const extended = await manager.create({ timeoutMs: 1000 });
    extended.setTimeout(120_000);
    assert.ok(extended.info().endAt.getTime() > Date.now() + 60_000);
    for (let i = 0; i < 300 && !events.some((e) => e.type === 'vm_killed'); i++) await sleep(20);
    const killed = events.filter((e): e is VmKilledEvent => e.type === 'vm_killed');
    assert.deepEqual(
      killed.map((e) => [e.sandboxId, e.reason]),
      [[short.id, 'timeout']],
    );
    assert.deepEqual(
      manager.list().map((i) => i.sandboxId),
      [extended.id],
    );
    assert.throws(() => extended.setTimeout(10), InvalidArgumentError);
  } finally {
    await manager.close();
  }
});

test('start-up reconciliation removes the leftovers of a crashed run with the same tag only', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const crashed = await testManager('trc', 23);
  const bystander = await testManager('trd', 24);
  try {
    await crashed.manager.create();
    await crashed.manager.create();
    const keep = await bystander.manager.create();
    // A new manager with the crashed run's tag and state root, as after a restart.
    const restarted = await SandboxManager.start({
      tag: 'trc',
      stateRoot: crashed.manager.stateRoot,
      ipv4Pool: '10.215.25.0/24',
      ipv6Pool: null,
    });
    try {
      assert.equal(restarted.reconciled.namespaces, 2);
      assert.equal(restarted.reconciled.stateDirs, 2);
      assert.deepEqual(await traces(restarted), NOTHING);
      assert.equal((await bystander.manager.get(keep.id).commands.run('echo alive')).stdout, 'alive\n');
    } finally {
      await restarted.close();
    }
  } finally {
    await crashed.manager.close();
    await bystander.manager.close();
  }
});

test('the warm pool hands out pre-built sandboxes whose first command runs like any other', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const { manager, events } = await testManager('twp', 26, { warmPoolSize: 2 });
  try {
    assert.equal(await manager.warmUp(), 2);
    assert.equal(await manager.warmUp(), 2, 'asking a full pool to fill must not wedge it');
    for (let round = 0; round < 3; round++) {
      const a = await manager.create({
        envs: { ROUND: String(round), DB_PASSWORD: 'hunter2-secret' },
        limits: { pids: 99 },
      });
      assert.ok(
        events.some((e) => e.type === 'vm_created' && e.sandboxId === a.id && e.warm),
        `round ${round} was warm`,
      );
      // The first command runs in the jail the pool started ahead of time: same env, cwd, stdin, limits.
      const r = await a.commands.run(
        'echo "$ROUND $DB_PASSWORD $HOME $SSL_CERT_FILE"; pwd; cat; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || true',
        {
          cwd: '/workspace',
          stdin: 'in\n',
        },
      );
      assert.match(
        r.stdout,
        new RegExp(`^${round} \\*\\*\\*\\* /home/user /etc/ssl/certs/ca-certificates.crt\n/workspace\nin\n`),
      );
      assert.equal(a.info().limits.pids, 99);
      const pidsDir = a.resources.cgroup?.dirs.pids;
      if (pidsDir)
        assert.equal(
          readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim(),
          '99',
          'pooled cgroup got the new limit',
        );
      assert.equal((await a.commands.run('echo second')).stdout, 'second\n');
      await a.kill();
      assert.equal(await manager.warmUp(), 2);
    }
  } finally {
    await manager.close();
  }
  assert.deepEqual(await traces(manager), NOTHING, 'closing also removes the pooled sandboxes');
});

test('a policy with domain rules needs the proxy: without one, create refuses and leaves nothing', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const { manager } = await testManager('tnp', 27);
  try {
    await assert.rejects(
      manager.create({ policy: { network: { allowOut: ['pypi.org'], denyOut: ['0.0.0.0/0'] } } }),
      /needs the proxy/,
    );
    assert.deepEqual(await traces(manager), NOTHING);
  } finally {
    await manager.close();
  }
});

test('many create/kill cycles leave no namespace, link, rule, cgroup or file behind', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const cycles = Number(process.env.DECLAW_SANDBOX_CYCLES ?? 200);
  const { manager } = await testManager('tcyc', 28, { warmPoolSize: 2 });
  try {
    for (let i = 0; i < cycles; i++) {
      const s = await manager.create({
        policy: { network: { allowOut: ['198.51.100.7'], denyOut: ['0.0.0.0/0'] } },
      });
      if (i % 50 === 0) assert.equal((await s.commands.run('echo $((6*7))')).stdout, '42\n');
      await s.kill();
    }
  } finally {
    await manager.close();
  }
  assert.deepEqual(await traces(manager), NOTHING);
  assert.equal(existsSync(join(manager.stateRoot, `.etc-${manager.tag}`)), false);
  t.diagnostic(`${cycles} create/kill cycles`);
});
