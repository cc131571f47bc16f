/**
 * Start-up reconciliation: a declaw that crashed (or was killed with SIGKILL) leaves namespaces,
 * links, firewall chains, cgroups and state directories behind. They all carry the manager's tag in
 * their names, so the next start finds and removes them, and nothing with another tag is touched.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listCgroupChildren, removeCgroupDir, type CgroupLayout } from './cgroups.js';
import { tagChainPattern, type Firewall } from './firewall.js';
import { runHostTool } from './host-exec.js';
import { tagPatterns } from './names.js';
import { listLinks, listNetns } from './netns.js';

/** What a reconciliation removed. */
export interface ReconcileReport {
  namespaces: number;
  links: number;
  cgroups: number;
  stateDirs: number;
}

async function killPids(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function procsOf(dir: string): Promise<number[]> {
  try {
    return (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Remove every leftover of `tag`. Processes still running in a leftover namespace or cgroup are
 * killed first (they would keep the namespace alive).
 *
 * @example const report = await reconcileTag({ tag: 'dc', stateRoot, cgroups, firewall });
 */
export async function reconcileTag(options: {
  tag: string;
  stateRoot: string;
  cgroups: CgroupLayout;
  firewall: Firewall;
}): Promise<ReconcileReport> {
  const { tag } = options;
  const pat = tagPatterns(tag);
  const report: ReconcileReport = { namespaces: 0, links: 0, cgroups: 0, stateDirs: 0 };

  const groups = await listCgroupChildren(options.cgroups, `declaw-${tag}`);
  for (let round = 0; round < 50; round++) {
    const pids = (await Promise.all(groups.map(procsOf))).flat();
    if (pids.length === 0) break;
    await killPids(pids);
    await sleep(10);
  }
  for (const ns of (await listNetns()).filter((n) => pat.netns.test(n))) {
    const { stdout } = await runHostTool('ip', ['netns', 'pids', ns], { allowFailure: true });
    await killPids(stdout.split('\n').filter(Boolean).map(Number));
  }

  await options.firewall.removeMatching(tagChainPattern(tag));
  for (const link of (await listLinks()).filter((l) => pat.hostIf.test(l))) {
    await runHostTool('ip', ['link', 'delete', link], { allowFailure: true });
    report.links++;
  }
  for (const ns of (await listNetns()).filter((n) => pat.netns.test(n))) {
    await runHostTool('ip', ['netns', 'delete', ns], { allowFailure: true });
    report.namespaces++;
  }
  for (const dir of groups) {
    await removeCgroupDir(dir).catch(() => undefined);
    report.cgroups++;
  }
  let entries: string[] = [];
  try {
    entries = await readdir(options.stateRoot);
  } catch {
    // No state root yet.
  }
  for (const e of entries.filter((x) => pat.stateDir.test(x))) {
    // Every process of the sandbox is dead, so nothing can swap paths under this removal.
    await rm(join(options.stateRoot, e), { recursive: true, force: true });
    report.stateDirs++;
  }
  return report;
}
