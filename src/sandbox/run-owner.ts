import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectCgroups } from './cgroups.js';
import { Firewall } from './firewall.js';
import { reconcileTag } from './reconcile.js';

const OWNER_FILE = /^\.owner-([a-z][a-z0-9]{0,3})$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Short-lived runs (`declaw run`, `declaw demo`) each use their own sandbox tag and mark it with their
 * pid in `<stateRoot>/.owner-<tag>`, so a run killed with SIGKILL can be cleaned up by the next one.
 * Returns the owner file's path; remove it when the run ends normally.
 *
 * @example
 * const owner = await claimRunTag(stateRoot, tag);
 * try { ... } finally { await rm(owner, { force: true }); }
 */
export async function claimRunTag(stateRoot: string, tag: string): Promise<string> {
  const file = join(stateRoot, `.owner-${tag}`);
  await writeFile(file, String(process.pid));
  return file;
}

/**
 * Remove everything (namespaces, links, chains, cgroups, files) that runs whose process is gone left
 * under their tags, and their owner files. Runs that are still alive are left alone.
 */
export async function sweepDeadRuns(stateRoot: string): Promise<void> {
  const entries = await readdir(stateRoot).catch(() => [] as string[]);
  const owners = entries.map((e) => OWNER_FILE.exec(e)).filter((m) => m !== null);
  if (owners.length === 0) return;
  const cgroups = await detectCgroups();
  const firewall = new Firewall();
  for (const m of owners) {
    const pid = Number(await readFile(join(stateRoot, m[0]), 'utf8').catch(() => '0'));
    if (pid > 0 && processAlive(pid)) continue;
    await reconcileTag({ tag: m[1] as string, stateRoot, cgroups, firewall });
    await rm(join(stateRoot, m[0]), { force: true });
  }
}
