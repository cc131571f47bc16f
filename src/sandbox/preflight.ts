/**
 * Preflight: can this host run declaw sandboxes with every protection the design promises? Each check
 * says what it found and, when it fails, exactly what to install or change. A failing required check
 * makes sandbox creation an error: declaw never quietly builds a weaker sandbox.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CONTROLLERS, detectCgroups, type CgroupLayout } from './cgroups.js';
import { PreflightFailedError, type PreflightProblem } from '../errors.js';
import { runHostTool } from './host-exec.js';

/** The outcome of one check. `required: false` checks only warn (cgroups, IPv6 forwarding). */
export interface PreflightCheck {
  name: string;
  ok: boolean;
  required: boolean;
  /** What was found, e.g. "bubblewrap 0.8.0". */
  detail: string;
  /** How to fix it when not ok. */
  fix?: string;
}

/** Everything `declaw doctor` prints. */
export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
  cgroups: CgroupLayout;
}

/** A uid that is never a real account, used to prove that unprivileged bubblewrap works. */
const PROBE_UID = 65534;

async function tool(name: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await runHostTool(name, args, { allowFailure: true });
    return { ok: r.exitCode === 0, out: (r.stdout + r.stderr).trim() };
  } catch (err) {
    return { ok: false, out: (err as Error).message };
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}

async function checkRoot(): Promise<PreflightCheck> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    name: 'root',
    ok: root,
    required: true,
    detail: root ? 'running as root' : `running as uid ${process.getuid?.() ?? '?'}`,
    fix: 'run declaw as root (sudo declaw ...): network namespaces and host firewall rules need it',
  };
}

async function checkNetns(): Promise<PreflightCheck> {
  const fix =
    'install iproute2 (apt-get install -y iproute2) and run on a kernel with network namespaces and veth (CONFIG_NET_NS, CONFIG_VETH)';
  const v = await tool('ip', ['-V']);
  if (!v.ok)
    return { name: 'network namespaces', ok: false, required: true, detail: 'ip (iproute2) not found', fix };
  const probe = `declaw-preflight-${randomBytes(4).toString('hex')}`;
  const add = await tool('ip', ['netns', 'add', probe]);
  if (!add.ok) {
    return {
      name: 'network namespaces',
      ok: false,
      required: true,
      detail: `ip netns add failed: ${firstLine(add.out)}`,
      fix,
    };
  }
  const veth = await tool('ip', ['-n', probe, 'link', 'add', 'dpa0', 'type', 'veth', 'peer', 'name', 'dpb0']);
  await tool('ip', ['netns', 'delete', probe]);
  if (!veth.ok) {
    return {
      name: 'network namespaces',
      ok: false,
      required: true,
      detail: `veth pairs unavailable: ${firstLine(veth.out)}`,
      fix,
    };
  }
  return {
    name: 'network namespaces',
    ok: true,
    required: true,
    detail: `${firstLine(v.out)}; netns and veth work`,
  };
}

async function checkIptables(family: 4 | 6): Promise<PreflightCheck> {
  const bin = family === 4 ? 'iptables' : 'ip6tables';
  const fix = `install iptables (apt-get install -y iptables); the kernel needs netfilter with nat and conntrack for IPv${family}`;
  const v = await tool(bin, ['--version']);
  if (!v.ok) return { name: bin, ok: false, required: true, detail: `${bin} not found`, fix };
  for (const table of ['filter', 'nat']) {
    const s = await tool(bin, ['-w', '-t', table, '-S']);
    if (!s.ok)
      return {
        name: bin,
        ok: false,
        required: true,
        detail: `${bin} -t ${table} failed: ${firstLine(s.out)}`,
        fix,
      };
  }
  const restore = await tool(`${bin}-restore`, ['--version']);
  if (!restore.ok) {
    return { name: bin, ok: false, required: true, detail: `${bin}-restore not found`, fix };
  }
  return { name: bin, ok: true, required: true, detail: firstLine(v.out) };
}

async function checkUtilLinux(): Promise<PreflightCheck> {
  const missing = [];
  for (const t of ['nsenter', 'setpriv']) if (!(await tool(t, ['--version'])).ok) missing.push(t);
  return {
    name: 'util-linux',
    ok: missing.length === 0,
    required: true,
    detail: missing.length ? `missing ${missing.join(', ')}` : 'nsenter and setpriv present',
    fix: 'install util-linux (apt-get install -y util-linux)',
  };
}

async function checkBubblewrap(): Promise<PreflightCheck> {
  const fix =
    'install bubblewrap 0.8 or later (apt-get install -y bubblewrap) and allow unprivileged user namespaces ' +
    '(sysctl kernel.unprivileged_userns_clone=1 on Debian kernels, user.max_user_namespaces > 0)';
  const v = await tool('bwrap', ['--version']);
  if (!v.ok) return { name: 'bubblewrap', ok: false, required: true, detail: 'bwrap not found', fix };
  const version = firstLine(v.out).replace(/^bubblewrap\s+/, '');
  const [maj = 0, min = 0] = version.split('.').map(Number);
  if (maj === 0 && min < 8) {
    return {
      name: 'bubblewrap',
      ok: false,
      required: true,
      detail: `bubblewrap ${version} lacks --disable-userns`,
      fix,
    };
  }
  // The jail runs bubblewrap as an unprivileged uid, exactly like this probe.
  const probe = await tool('setpriv', [
    `--reuid=${PROBE_UID}`,
    `--regid=${PROBE_UID}`,
    '--clear-groups',
    '--no-new-privs',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
    'bwrap',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--disable-userns',
    '--die-with-parent',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    ...(existsSync('/lib64') ? ['--symlink', 'usr/lib64', '/lib64'] : []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--',
    '/bin/true',
  ]);
  if (!probe.ok) {
    return {
      name: 'bubblewrap',
      ok: false,
      required: true,
      detail: `bubblewrap ${version} cannot build a jail as an unprivileged user: ${firstLine(probe.out)}`,
      fix,
    };
  }
  return {
    name: 'bubblewrap',
    ok: true,
    required: true,
    detail: `bubblewrap ${version}, unprivileged user namespaces work`,
  };
}

function checkCgroups(layout: CgroupLayout): PreflightCheck {
  const have = CONTROLLERS.filter((c) => layout.mounts[c]);
  const ok = have.length === CONTROLLERS.length;
  const where =
    layout.version === 'v2'
      ? `cgroup v2 with ${have.join(', ')}`
      : layout.version === 'v1'
        ? `cgroup v1 with ${have.join(', ') || 'nothing'} writable`
        : 'no writable cgroups';
  return {
    name: 'cgroups',
    ok,
    required: false,
    detail: [where, ...layout.notes].join('; '),
    fix:
      'mount cgroup v2 with the memory, pids and cpu controllers delegated (systemd: Delegate=yes), or the v1 ' +
      'memory, pids and cpu hierarchies; until then sandbox info shows the missing limits as not enforced',
  };
}

function checkIpv6Forwarding(): PreflightCheck {
  const all = readSysctl('/proc/sys/net/ipv6/conf/all/forwarding');
  const force = existsSync('/proc/sys/net/ipv6/conf/default/force_forwarding');
  const ok = all === '1' || force;
  return {
    name: 'ipv6 forwarding',
    ok,
    required: false,
    detail: ok
      ? all === '1'
        ? 'IPv6 forwarding is on'
        : 'per-interface IPv6 forwarding (force_forwarding) is available'
      : 'IPv6 forwarding is off and this kernel has no per-interface switch',
    fix: 'only needed when policies allow IPv6 destinations: sysctl net.ipv6.conf.all.forwarding=1, or a kernel of 6.17 or later',
  };
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Run every check. Side effects are limited to a probe namespace and a probe jail, both removed.
 * @example const report = await runPreflight(); if (!report.ok) for (const c of report.checks) ...
 */
export async function runPreflight(): Promise<PreflightReport> {
  const root = await checkRoot();
  const cgroups = await detectCgroups();
  const checks: PreflightCheck[] = [root];
  if (root.ok) {
    checks.push(await checkNetns(), await checkIptables(4), await checkIptables(6));
  } else {
    for (const name of ['network namespaces', 'iptables', 'ip6tables']) {
      checks.push({ name, ok: false, required: true, detail: 'not checked: needs root', fix: root.fix });
    }
  }
  checks.push(await checkUtilLinux(), await checkBubblewrap(), checkCgroups(cgroups), checkIpv6Forwarding());
  return { ok: checks.every((c) => c.ok || !c.required), checks, cgroups };
}

/** The required checks that failed, as problems for {@link PreflightFailedError}. */
export function preflightProblems(report: PreflightReport): PreflightProblem[] {
  return report.checks
    .filter((c) => c.required && !c.ok)
    .map((c) => ({ check: c.name, message: c.detail, fix: c.fix ?? 'see declaw doctor' }));
}

/**
 * Run preflight and throw when a required check fails.
 * @throws {PreflightFailedError} naming every missing piece and how to install it.
 * @example const report = await assertPreflight(); // before building any sandbox
 */
export async function assertPreflight(): Promise<PreflightReport> {
  const report = await runPreflight();
  if (!report.ok) throw new PreflightFailedError(preflightProblems(report));
  return report;
}
