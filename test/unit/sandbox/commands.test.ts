import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxManager } from '../../../src/sandbox/sandbox-manager.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { CommandExitError, CommandTimeoutError } from '../../../src/errors.js';
import { requireRoot } from '../../helpers/root.js';
import { testManager } from './helpers/manager.js';

const isRoot = process.getuid?.() === 0;
let manager: SandboxManager;
let sbx: Sandbox;

before(async () => {
  if (!isRoot) return;
  ({ manager } = await testManager('tcm', 11));
  sbx = await manager.create({ envs: { GREETING: 'hello', OPENAI_API_KEY: 'sk-live-1234567890abcdef' } });
});

after(async () => {
  if (isRoot) await manager?.close();
});

test('run returns stdout, stderr and the exit code; a non-zero exit is an error carrying the result', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const ok = await sbx.commands.run('echo out; echo err >&2');
  assert.deepEqual({ ...ok }, { stdout: 'out\n', stderr: 'err\n', exitCode: 0 });
  await assert.rejects(sbx.commands.run('echo partial; exit 3'), (e: unknown) => {
    assert.ok(e instanceof CommandExitError);
    assert.equal(e.result.exitCode, 3);
    assert.equal(e.result.stdout, 'partial\n');
    return true;
  });
});

test('commands run as an unprivileged user with no capabilities and no_new_privs, seeing only their own processes', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run(
    'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; ps -e -o pid= | wc -l; hostname; cat /etc/resolv.conf',
  );
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '1000');
  assert.match(r.stdout, /CapEff:\t0000000000000000/);
  assert.match(r.stdout, /CapBnd:\t0000000000000000/);
  assert.match(r.stdout, /NoNewPrivs:\t1/);
  assert.ok(Number(lines[4]) <= 4, `sees ${lines[4]} processes`);
  assert.match(r.stdout, new RegExp(`nameserver ${sbx.info().network.gateway.replace(/\./g, '\\.')}`));
  const host = await sbx.commands
    .run('ls /root 2>&1; ls /var/lib 2>&1; cat /etc/shadow 2>&1', { timeoutMs: 5000 })
    .catch((e) => e.result);
  assert.match(host.stdout, /No such file or directory/);
  assert.doesNotMatch(host.stdout, /root:/);
});

test('cwd, envs and stdin reach the command; the CA variables point at the sandbox bundle', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await sbx.commands.run(
    'pwd; echo "$GREETING $EXTRA"; cat; echo "$SSL_CERT_FILE $NODE_EXTRA_CA_CERTS"',
    {
      cwd: '/workspace',
      envs: { EXTRA: 'world' },
      stdin: 'from stdin\n',
    },
  );
  assert.equal(
    r.stdout,
    '/workspace\nhello world\nfrom stdin\n/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n',
  );
});

test('streaming callbacks get output as it is produced, masked like the result', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const chunks: string[] = [];
  const r = await sbx.commands.run('for i in 1 2 3; do echo "line $i $OPENAI_API_KEY"; sleep 0.05; done', {
    onStdout: (d) => chunks.push(d),
  });
  assert.ok(chunks.length >= 2, `got ${chunks.length} chunks`);
  assert.equal(chunks.join(''), r.stdout);
  assert.equal(r.stdout, 'line 1 ****\nline 2 ****\nline 3 ****\n');
  assert.doesNotMatch(JSON.stringify(sbx.info()), /sk-live/);
  assert.equal(sbx.info().envs.OPENAI_API_KEY, '****');
});

test('a timeout kills the whole process tree, daemons included', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  await assert.rejects(
    sbx.commands.run('setsid sleep 300 & (sleep 300 &) ; sleep 300', { timeoutMs: 1500 }),
    (e: unknown) => e instanceof CommandTimeoutError && e.result.error === 'timeout',
  );
  const m = await sbx.metrics();
  assert.equal(m.processes, 0, 'no process of the command survives');
});

test('background commands: pid, list, sendStdin, wait and kill', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const cat = await sbx.commands.start('cat | tr a-z A-Z', { stdin: true });
  assert.ok(cat.pid > 0);
  assert.ok(sbx.commands.list().some((p) => p.pid === cat.pid && p.cmd === 'cat | tr a-z A-Z'));
  await sbx.commands.sendStdin(cat.pid, 'shout\n');
  cat.closeStdin();
  assert.equal((await cat.wait()).stdout, 'SHOUT\n');
  const sleeper = await sbx.commands.start('sleep 300');
  assert.equal(await sbx.commands.kill(sleeper.pid), true);
  await assert.rejects(sleeper.wait(), CommandExitError);
  assert.equal(await sbx.commands.kill(sleeper.pid), false);
  assert.ok(!sbx.commands.list().some((p) => p.pid === sleeper.pid));
});

test('files written through the API are seen by commands, and the other way round', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  await sbx.files.write('/workspace/in/data.txt', 'from api\n');
  const r = await sbx.commands.run(
    'cat /workspace/in/data.txt; echo made > /tmp/out.txt; ls -ln /workspace/in',
  );
  assert.match(r.stdout, /^from api\n/);
  assert.match(r.stdout, / 1000 +1000 /, 'files written by the API belong to the sandbox user');
  assert.equal(await sbx.files.read('/tmp/out.txt'), 'made\n');
});

test('limits are written to the cgroups and reported as enforced; metrics report memory and CPU', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const info = sbx.info();
  if (manager.cgroups.version !== 'none') {
    assert.deepEqual(info.limits.enforced, { memory: true, pids: true, cpu: true });
  }
  await sbx.commands.run('python3 -c "sum(range(3_000_000))"');
  const m = await sbx.metrics();
  assert.ok((m.cpuMicros ?? 0) > 0);
  assert.equal(m.memLimitBytes, info.limits.memoryBytes);
});
