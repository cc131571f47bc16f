/**
 * Resource limits through cgroups: v2 where the host delegates the memory, pids and cpu controllers
 * on its unified tree, v1 where it mounts those hierarchies (this is common in containers and older
 * hosts), and "not enforced" where neither can be written, which the sandbox info then says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile, access, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The three limits declaw sets. */
export type Controller = 'memory' | 'pids' | 'cpu';
/** Every controller, in the order reports list them. */
export const CONTROLLERS: readonly Controller[] = ['memory', 'pids', 'cpu'];

/** Where each controller can be written, as found on this host. */
export interface CgroupLayout {
  /** `v2` when the unified tree carries the controllers, `v1` otherwise, `none` when nothing works. */
  version: 'v2' | 'v1' | 'none';
  /** Mount point of each usable controller (v2: the unified root for all of them). */
  mounts: Partial<Record<Controller, string>>;
  /** v1 only: the cpuacct hierarchy, for CPU-time metrics when cpu is mounted without it. */
  cpuacctMount?: string;
  /** Human-readable notes for `declaw doctor` (e.g. "v2 mounted without controllers"). */
  notes: string[];
}

interface MountLine {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function parseMountinfo(text: string): MountLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [left, right] = line.split(' - ');
      if (!left || !right) return [];
      const mountPoint = left.split(' ')[4];
      const [fsType, , opts] = right.split(' ');
      if (!mountPoint || !fsType) return [];
      return [{ mountPoint, fsType, superOptions: (opts ?? '').split(',') }];
    });
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Find the cgroup controllers this process can write.
 * @param mountinfo the text of /proc/self/mountinfo (for tests); read from the host by default.
 * @example const layout = await detectCgroups(); layout.version // 'v1' on this CI machine
 */
export async function detectCgroups(mountinfo?: string): Promise<CgroupLayout> {
  const mounts = parseMountinfo(mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
  const notes: string[] = [];
  const unified = mounts.find((m) => m.fsType === 'cgroup2');
  if (unified) {
    const ctlFile = join(unified.mountPoint, 'cgroup.controllers');
    const available = existsSync(ctlFile) ? readFileSync(ctlFile, 'utf8').trim().split(/\s+/) : [];
    const missing = CONTROLLERS.filter((c) => !available.includes(c));
    if (missing.length === 0 && (await writable(join(unified.mountPoint, 'cgroup.subtree_control')))) {
      return {
        version: 'v2',
        mounts: { memory: unified.mountPoint, pids: unified.mountPoint, cpu: unified.mountPoint },
        notes,
      };
    }
    notes.push(
      `cgroup v2 at ${unified.mountPoint} ${missing.length ? `lacks the ${missing.join(', ')} controller(s)` : 'is read-only'}`,
    );
  }
  const v1: Partial<Record<Controller, string>> = {};
  let cpuacctMount: string | undefined;
  for (const m of mounts.filter((x) => x.fsType === 'cgroup')) {
    for (const c of CONTROLLERS) {
      if (m.superOptions.includes(c) && !v1[c] && (await writable(m.mountPoint))) v1[c] = m.mountPoint;
    }
    if (m.superOptions.includes('cpuacct') && (await writable(m.mountPoint))) cpuacctMount = m.mountPoint;
  }
  const found = CONTROLLERS.filter((c) => v1[c]);
  if (found.length === 0) {
    notes.push('no writable cgroup v1 hierarchy for memory, pids or cpu');
    return { version: 'none', mounts: {}, notes };
  }
  const absent = CONTROLLERS.filter((c) => !v1[c]);
  if (absent.length) notes.push(`cgroup v1 has no writable ${absent.join(', ')} hierarchy`);
  return { version: 'v1', mounts: v1, cpuacctMount, notes };
}

/** Limits of one sandbox. */
export interface ResourceLimits {
  /** Memory (RAM) in bytes; processes beyond it are killed by the kernel's OOM killer. */
  memoryBytes: number;
  /** Maximum number of processes and threads (stops fork bombs). */
  pids: number;
  /** CPU share in thousandths of a core (1000 = one full core). */
  cpuMillicores: number;
}

/** Which limits the kernel actually enforces for a sandbox. */
export type EnforcedLimits = Record<Controller, boolean>;

/** Usage figures for metrics. */
export interface CgroupUsage {
  memoryBytes?: number;
  cpuMicros?: number;
}

const CPU_PERIOD_US = 100_000;

/**
 * The cgroups of one sandbox: one directory per controller (v1) or one directory (v2), named
 * `<parent>/<name>` so a crashed run's leftovers can be found by the parent's name.
 */
export class SandboxCgroup {
  private current?: ResourceLimits;

  private constructor(
    private readonly layout: CgroupLayout,
    /** Directory per controller. */
    readonly dirs: Partial<Record<Controller, string>>,
    readonly enforced: EnforcedLimits,
    private readonly cpuacctDir?: string,
  ) {}

  /** Create the cgroup and write the limits. A controller that refuses its limit is reported as not enforced. */
  static async create(
    layout: CgroupLayout,
    parent: string,
    name: string,
    limits: ResourceLimits,
  ): Promise<SandboxCgroup> {
    const dirs: Partial<Record<Controller, string>> = {};
    let cpuacctDir: string | undefined;
    if (layout.version === 'v2') {
      const root = layout.mounts.memory as string;
      const parentDir = join(root, parent);
      await mkdir(parentDir, { recursive: true });
      await enableV2Controllers(root, parentDir);
      const dir = join(parentDir, name);
      await mkdir(dir, { recursive: true });
      for (const c of CONTROLLERS) dirs[c] = dir;
    } else {
      for (const c of CONTROLLERS) {
        const mount = layout.mounts[c];
        if (!mount) continue;
        const dir = join(mount, parent, name);
        await mkdir(dir, { recursive: true });
        dirs[c] = dir;
      }
      if (layout.cpuacctMount && layout.cpuacctMount !== layout.mounts.cpu) {
        cpuacctDir = join(layout.cpuacctMount, parent, name);
        await mkdir(cpuacctDir, { recursive: true });
      }
    }
    const cg = new SandboxCgroup(layout, dirs, { memory: false, pids: false, cpu: false }, cpuacctDir);
    await cg.setLimits(limits);
    return cg;
  }

  /** The limits written last. */
  get limits(): ResourceLimits | undefined {
    return this.current;
  }

  /** Write the limits (again); a controller that refuses its limit is reported as not enforced. */
  async setLimits(limits: ResourceLimits): Promise<void> {
    const { dirs, enforced } = this;
    const quota = Math.max(1000, Math.round((limits.cpuMillicores / 1000) * CPU_PERIOD_US));
    if (this.layout.version === 'v2') {
      const dir = dirs.memory as string;
      enforced.memory = await tryWrite(join(dir, 'memory.max'), String(limits.memoryBytes));
      await tryWrite(join(dir, 'memory.swap.max'), '0');
      enforced.pids = await tryWrite(join(dir, 'pids.max'), String(limits.pids));
      enforced.cpu = await tryWrite(join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
    } else {
      if (dirs.memory) {
        // With swap accounting, memsw (memory + swap) is set to the same value: no swapping around the
        // limit. The kernel wants limit <= memsw at every moment, so the order depends on the direction.
        const limit = join(dirs.memory, 'memory.limit_in_bytes');
        const memsw = join(dirs.memory, 'memory.memsw.limit_in_bytes');
        const value = String(limits.memoryBytes);
        if ((this.current?.memoryBytes ?? Infinity) > limits.memoryBytes) {
          enforced.memory = await tryWrite(limit, value);
          await tryWrite(memsw, value);
        } else {
          await tryWrite(memsw, value);
          enforced.memory = await tryWrite(limit, value);
        }
      }
      if (dirs.pids) enforced.pids = await tryWrite(join(dirs.pids, 'pids.max'), String(limits.pids));
      if (dirs.cpu) {
        enforced.cpu =
          (await tryWrite(join(dirs.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US))) &&
          (await tryWrite(join(dirs.cpu, 'cpu.cfs_quota_us'), String(quota)));
      }
    }
    this.current = { ...limits };
  }

  /** Every cgroup.procs file a new process must be written to, so it is limited from its first instruction. */
  get procsFiles(): string[] {
    const set = new Set<string>(Object.values(this.dirs));
    if (this.cpuacctDir) set.add(this.cpuacctDir);
    return [...set].map((d) => join(d, 'cgroup.procs'));
  }

  /** Current memory and accumulated CPU time. */
  async usage(): Promise<CgroupUsage> {
    const read = async (p: string) => {
      try {
        return (await readFile(p, 'utf8')).trim();
      } catch {
        return undefined;
      }
    };
    if (this.layout.version === 'v2') {
      const dir = this.dirs.memory as string;
      const mem = await read(join(dir, 'memory.current'));
      const stat = await read(join(dir, 'cpu.stat'));
      const usec = stat?.match(/^usage_usec (\d+)/m)?.[1];
      return {
        memoryBytes: mem ? Number(mem) : undefined,
        cpuMicros: usec ? Number(usec) : undefined,
      };
    }
    const mem = this.dirs.memory ? await read(join(this.dirs.memory, 'memory.usage_in_bytes')) : undefined;
    const acct = this.cpuacctDir ?? this.dirs.cpu;
    const ns = acct ? await read(join(acct, 'cpuacct.usage')) : undefined;
    return {
      memoryBytes: mem ? Number(mem) : undefined,
      cpuMicros: ns ? Math.round(Number(ns) / 1000) : undefined,
    };
  }

  /** Pids of every process in the sandbox. */
  async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const f of this.procsFiles) {
      try {
        for (const l of (await readFile(f, 'utf8')).split('\n')) if (l) all.add(Number(l));
      } catch {
        // A removed hierarchy has no processes.
      }
    }
    return [...all];
  }

  /** Kill every process in the sandbox, repeating until none is left (a fork bomb keeps forking). */
  async killAll(): Promise<void> {
    if (
      this.layout.version === 'v2' &&
      (await tryWrite(join(this.dirs.memory as string, 'cgroup.kill'), '1'))
    ) {
      for (let i = 0; i < 200 && (await this.pids()).length > 0; i++) await sleep(5);
      return;
    }
    for (let round = 0; round < 500; round++) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await sleep(round < 10 ? 1 : 10);
    }
  }

  /** Kill everything and remove the directories. */
  async remove(): Promise<void> {
    await this.killAll();
    const dirs = new Set<string>([
      ...Object.values(this.dirs),
      ...(this.cpuacctDir ? [this.cpuacctDir] : []),
    ]);
    for (const d of dirs) await removeCgroupDir(d);
  }
}

/** rmdir a cgroup, retrying while the kernel finishes reaping its last processes. */
export async function removeCgroupDir(dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw err;
      await sleep(10);
    }
  }
  await rmdir(dir);
}

async function tryWrite(path: string, value: string): Promise<boolean> {
  try {
    await writeFile(path, value);
    return true;
  } catch {
    return false;
  }
}

async function enableV2Controllers(root: string, parentDir: string): Promise<void> {
  for (const dir of [root, parentDir]) {
    for (const c of CONTROLLERS) await tryWrite(join(dir, 'cgroup.subtree_control'), `+${c}`);
  }
}

/**
 * Names of the sandbox cgroups under `parent` in every hierarchy of the layout: what start-up
 * reconciliation removes after a crash.
 */
export async function listCgroupChildren(layout: CgroupLayout, parent: string): Promise<string[]> {
  const roots = new Set<string>([
    ...Object.values(layout.mounts),
    ...(layout.cpuacctMount ? [layout.cpuacctMount] : []),
  ]);
  const found: string[] = [];
  for (const r of roots) {
    try {
      for (const e of await readdir(join(r, parent), { withFileTypes: true })) {
        if (e.isDirectory()) found.push(join(r, parent, e.name));
      }
    } catch {
      // No parent yet: nothing to list.
    }
  }
  return found;
}
