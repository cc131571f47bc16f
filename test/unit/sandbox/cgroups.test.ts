import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxCgroup, type CgroupLayout } from '../../../src/sandbox/cgroups.js';

const LIMITS = { memoryBytes: 256 * 1024 * 1024, pids: 128, cpuMillicores: 500 };

test('on cgroup v2 the limits go to memory.max, pids.max and cpu.max of one directory', async () => {
  const root = mkdtempSync(join(tmpdir(), 'declaw-cgv2-'));
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  const layout: CgroupLayout = { version: 'v2', mounts: { memory: root, pids: root, cpu: root }, notes: [] };
  const cg = await SandboxCgroup.create(layout, 'declaw-t', 'abcdefghij', LIMITS);
  const dir = join(root, 'declaw-t', 'abcdefghij');
  assert.equal(readFileSync(join(dir, 'memory.max'), 'utf8'), String(LIMITS.memoryBytes));
  assert.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '128');
  assert.equal(readFileSync(join(dir, 'cpu.max'), 'utf8'), '50000 100000');
  assert.deepEqual(cg.enforced, { memory: true, pids: true, cpu: true });
  assert.deepEqual(cg.procsFiles, [join(dir, 'cgroup.procs')]);
  await cg.setLimits({ ...LIMITS, pids: 64 });
  assert.equal(readFileSync(join(dir, 'pids.max'), 'utf8'), '64');
});

test('on cgroup v1 each controller has its own directory, and cpuacct is joined for metrics', async () => {
  const base = mkdtempSync(join(tmpdir(), 'declaw-cgv1-'));
  const m = (d: string) => {
    mkdirSync(join(base, d));
    return join(base, d);
  };
  const layout: CgroupLayout = {
    version: 'v1',
    mounts: { memory: m('memory'), pids: m('pids'), cpu: m('cpu') },
    cpuacctMount: m('cpuacct'),
    notes: [],
  };
  const cg = await SandboxCgroup.create(layout, 'declaw-t', 'abcdefghij', LIMITS);
  const at = (c: string, f: string) => readFileSync(join(base, c, 'declaw-t', 'abcdefghij', f), 'utf8');
  assert.equal(at('memory', 'memory.limit_in_bytes'), String(LIMITS.memoryBytes));
  assert.equal(at('pids', 'pids.max'), '128');
  assert.equal(at('cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(cg.procsFiles.length, 4, 'memory, pids, cpu and cpuacct');
});

test('a controller that cannot be written is reported as not enforced', async () => {
  const base = mkdtempSync(join(tmpdir(), 'declaw-cgnone-'));
  mkdirSync(join(base, 'pids'));
  const layout: CgroupLayout = { version: 'v1', mounts: { pids: join(base, 'pids') }, notes: [] };
  const cg = await SandboxCgroup.create(layout, 'declaw-t', 'abcdefghij', LIMITS);
  assert.deepEqual(cg.enforced, { memory: false, pids: true, cpu: false });
});
