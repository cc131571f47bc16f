import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroups } from '../../../src/sandbox/cgroups.js';
import { preflightProblems, runPreflight, type PreflightReport } from '../../../src/sandbox/preflight.js';
import { PreflightFailedError } from '../../../src/errors.js';
import { formatPreflight } from '../../../src/cli/commands/doctor.js';
import { runCli } from '../../helpers/cli.js';
import { requireRoot } from '../../helpers/root.js';

function mountLine(id: number, mountPoint: string, fsType: string, opts: string): string {
  return `${id} 1 0:${id} / ${mountPoint} rw,relatime - ${fsType} ${fsType} ${opts}`;
}

test('cgroup detection prefers a v2 tree that carries memory, pids and cpu', async () => {
  const root = mkdtempSync(join(tmpdir(), 'declaw-cg2-'));
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  const layout = await detectCgroups(mountLine(30, root, 'cgroup2', 'rw'));
  assert.equal(layout.version, 'v2');
  assert.deepEqual(layout.mounts, { memory: root, pids: root, cpu: root });
});

test('cgroup detection falls back to v1 hierarchies when v2 is mounted without controllers', async () => {
  const base = mkdtempSync(join(tmpdir(), 'declaw-cg1-'));
  const dirs = ['unified', 'memory', 'pids', 'cpu', 'cpuacct'].map((d) => {
    mkdirSync(join(base, d));
    return join(base, d);
  });
  writeFileSync(join(base, 'unified', 'cgroup.controllers'), '\n');
  const info = [
    mountLine(41, dirs[0] as string, 'cgroup2', 'rw'),
    mountLine(35, dirs[1] as string, 'cgroup', 'rw,memory'),
    mountLine(39, dirs[2] as string, 'cgroup', 'rw,pids'),
    mountLine(32, dirs[3] as string, 'cgroup', 'rw,cpu'),
    mountLine(33, dirs[4] as string, 'cgroup', 'rw,cpuacct'),
  ].join('\n');
  const layout = await detectCgroups(info);
  assert.equal(layout.version, 'v1');
  assert.deepEqual(layout.mounts, { memory: dirs[1], pids: dirs[2], cpu: dirs[3] });
  assert.equal(layout.cpuacctMount, dirs[4]);
  assert.match(layout.notes.join(' '), /lacks the memory, pids, cpu controller/);
});

test('cgroup detection reports none when no hierarchy carries the controllers', async () => {
  const layout = await detectCgroups(mountLine(40, '/nonexistent-declaw', 'cgroup', 'rw,name=systemd'));
  assert.equal(layout.version, 'none');
  assert.deepEqual(layout.mounts, {});
});

const failing: PreflightReport = {
  ok: false,
  cgroups: { version: 'none', mounts: {}, notes: [] },
  checks: [
    { name: 'root', ok: true, required: true, detail: 'running as root' },
    {
      name: 'bubblewrap',
      ok: false,
      required: true,
      detail: 'bwrap not found',
      fix: 'install bubblewrap 0.8 or later (apt-get install -y bubblewrap)',
    },
    { name: 'cgroups', ok: false, required: false, detail: 'no writable cgroups', fix: 'mount cgroup v2' },
  ],
};

test('doctor output names each failing check and the apt package that fixes it', () => {
  const text = formatPreflight(failing);
  assert.match(text, /FAIL {2}bubblewrap: bwrap not found\n {6}fix: .*apt-get install -y bubblewrap/);
  assert.match(text, /warn {2}cgroups: no writable cgroups/);
  assert.match(text, /cannot run declaw sandboxes/);
});

test('a failed preflight becomes an error listing only the required problems', () => {
  const err = new PreflightFailedError(preflightProblems(failing));
  assert.equal(err.code, 'DECLAW_SANDBOX_PREFLIGHT_FAILED');
  assert.deepEqual(
    err.problems.map((p) => p.check),
    ['bubblewrap'],
  );
  assert.match(err.message, /apt-get install -y bubblewrap/);
});

test('preflight passes on this host and leaves no probe namespace behind', async (t) => {
  if (!requireRoot(t, 'preflight creates a probe network namespace')) return;
  const report = await runPreflight();
  const failed = report.checks.filter((c) => c.required && !c.ok);
  assert.deepEqual(failed, [], JSON.stringify(failed));
  assert.ok(report.ok);
  const { execFileSync } = await import('node:child_process');
  assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), /declaw-preflight-/);
});

test('declaw doctor exits 0 and prints ok lines on a host that passes', async (t) => {
  if (!requireRoot(t, 'doctor probes namespaces and iptables')) return;
  const r = await runCli(['doctor']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok {4}bubblewrap: bubblewrap \d/);
  assert.match(r.stdout, /this host can run declaw sandboxes/);
  const json = await runCli(['doctor', '--json']);
  assert.equal(JSON.parse(json.stdout).ok, true);
});
