import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { requireRoot } from '../../helpers/root.js';
import { listNetns } from '../../../src/sandbox/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'declaw-run-'));
chmodSync(dir, 0o711);
const stateRoot = join(dir, 'state');
const policy = join(dir, 'ip-only.yaml');
writeFileSync(policy, 'network:\n  allow_out: [198.51.100.7]\n  deny_out: [0.0.0.0/0]\n');

/** The sandboxes of `declaw run` use tags starting with r: none may be left. */
async function leftovers(): Promise<string[]> {
  const runs = readdirSync(stateRoot).filter((e) => !e.startsWith('.etc-'));
  const ns = (await listNetns()).filter((n) => /^declaw-r[0-9a-f]{3}-/.test(n));
  return [...runs, ...ns];
}

test('declaw run streams the output, exits with the command exit code and removes the sandbox', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await runCli([
    'run',
    '--policy',
    policy,
    '--state-root',
    stateRoot,
    '--env',
    'WHO=sandbox',
    '--',
    'sh',
    '-c',
    'echo "hello from $WHO as $(id -u)"; echo oops >&2; exit 7',
  ]);
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'hello from sandbox as 1000\n');
  // The command's own stderr comes first, then declaw's summary of the run (never mixed into stdout).
  assert.ok(r.stderr.startsWith('oops\n'), r.stderr);
  assert.match(
    r.stderr,
    /declaw run: exit 7, sandbox [a-z0-9]+\n {2}no network traffic went through declaw\n$/,
  );
  assert.deepEqual(await leftovers(), []);
});

test('declaw run passes stdin with --stdin and kills the command at --timeout with exit 124', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const echo = await runCli(
    ['run', '--policy', policy, '--state-root', stateRoot, '--stdin', '--', 'tr', 'a-z', 'A-Z'],
    'quiet\n',
  );
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, 'QUIET\n');
  const slow = await runCli([
    'run',
    '--policy',
    policy,
    '--state-root',
    stateRoot,
    '--timeout',
    '1',
    '--',
    'sleep',
    '60',
  ]);
  assert.equal(slow.code, 124);
  assert.match(slow.stderr, /longer than 1 s/);
  assert.deepEqual(await leftovers(), []);
});

test('a state root that sandbox users cannot reach is refused with the fix', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const closed = mkdtempSync(join(tmpdir(), 'declaw-closed-'));
  const r = await runCli(['run', '--policy', policy, '--state-root', join(closed, 'state'), '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not searchable by other users.*chmod o\+x/);
});

test('declaw run refuses an invalid policy file before creating anything', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'network:\n  allow_out: ["*"]\n');
  const r = await runCli(['run', '--policy', bad, '--state-root', stateRoot, '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid security policy/);
});
