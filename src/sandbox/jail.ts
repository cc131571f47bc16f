/**
 * The jail a sandbox's processes run in: bubblewrap, started as the sandbox's own unprivileged host
 * uid with no capabilities and no_new_privs, inside the sandbox's network namespace, with its own
 * mount, PID, IPC, UTS and user namespaces. The host's system directories are visible read-only
 * (only what programs need); /home/user, /workspace and /tmp are private, writable and backed by the
 * sandbox's state directory; /etc is a small subset plus files generated for the sandbox (resolv.conf
 * pointing at the sandbox's gateway, and a trust bundle: the system CAs plus the sandbox CA).
 *
 * Every process is started the same way ({@link jailInvocation}): a root shell writes its own pid
 * into the sandbox's cgroups and exec's nsenter, which joins the network namespace, clears the
 * supplementary groups and switches to the sandbox's uid (dropping every capability), then exec's
 * bubblewrap, which sets no_new_privs and empties the bounding set before anything of the sandbox
 * runs. So a command is limited by the cgroups from its first instruction, and nothing the sandbox
 * controls (environment, arguments, files) is ever read by a process running as root: the sandbox's
 * environment reaches bubblewrap through a pipe (--args), not through the environment of the
 * processes above it. (setpriv would add one more exec for nothing bubblewrap does not already do.)
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, chown, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the sandbox's trust bundle is, inside the sandbox. */
export const SANDBOX_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The sandbox user's uid and gid inside the sandbox, and its home. */
export const SANDBOX_UID = 1000;
export const SANDBOX_HOME = '/home/user';
/** The writable directories of a sandbox, inside it. */
export const WRITABLE_ROOTS = ['/home/user', '/workspace', '/tmp'] as const;

/** Environment variables that point TLS clients at the trust bundle (Python, Node, curl, git, pip). */
export const CA_ENV_VARS = [
  'SSL_CERT_FILE',
  'REQUESTS_CA_BUNDLE',
  'NODE_EXTRA_CA_CERTS',
  'CURL_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'PIP_CERT',
] as const;

/** Host /etc entries a sandbox sees (read-only), when they exist: what common programs read. */
const ETC_SUBSET = [
  'alternatives',
  'bash.bashrc',
  'debian_version',
  'gai.conf',
  'host.conf',
  'inputrc',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'locale.alias',
  'localtime',
  'magic',
  'mime.types',
  'nsswitch.conf',
  'os-release',
  'perl',
  'profile',
  'profile.d',
  'protocols',
  'services',
  'ssl/openssl.cnf',
  'terminfo',
  'timezone',
];

/** System bundle locations, first found wins (Debian/Ubuntu, RHEL/Fedora, Alpine, SUSE). */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
  '/etc/ssl/ca-bundle.pem',
];

/** Paths of a sandbox's state directory on the host. */
export interface JailPaths {
  /** The state directory (root-owned, 0711). */
  root: string;
  /** Virtual root of the writable tree: `fs/home/user`, `fs/workspace`, `fs/tmp` under it. */
  fsRoot: string;
  /** Generated /etc files. */
  etc: string;
}

/** The host-side layout of a sandbox's state directory. */
export function jailPaths(stateDir: string): JailPaths {
  return { root: stateDir, fsRoot: join(stateDir, 'fs'), etc: join(stateDir, 'etc') };
}

/** The hostname every sandbox sees. */
export const SANDBOX_HOSTNAME = 'sandbox';

function systemBundle(): string {
  for (const p of SYSTEM_BUNDLES) if (existsSync(p)) return readFileSync(p, 'utf8');
  return '';
}

/**
 * Build the /etc every sandbox of a manager shares (read-only): copies of the host's subset and the
 * sandbox user's passwd, group, hosts and hostname, with empty files where each sandbox's own
 * resolv.conf and trust bundle are mounted. One mount instead of dozens makes each command start
 * faster; it is rebuilt at every manager start, so host changes are picked up then.
 */
export async function buildEtcTemplate(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'ssl', 'certs'), { recursive: true, mode: 0o755 });
  for (const e of ETC_SUBSET) {
    const src = `/etc/${e}`;
    if (existsSync(src))
      await cp(src, join(dir, e), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
  const files: Record<string, string> = {
    passwd:
      `root:x:0:0:root:/root:/usr/sbin/nologin\n` +
      `user:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox user:${SANDBOX_HOME}:/bin/bash\n` +
      `nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nuser:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
    hostname: `${SANDBOX_HOSTNAME}\n`,
    hosts: `127.0.0.1\tlocalhost\n127.0.1.1\t${SANDBOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    'resolv.conf': '',
    // Sandboxes without a CA of their own (nothing is intercepted) see the system bundle as it is.
    'ssl/certs/ca-certificates.crt': `${systemBundle().trimEnd()}\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: 0o644 });
  await chmod(dir, 0o755);
}

/** What a sandbox's own files need. */
export interface JailFilesOptions {
  hostUid: number;
  /** The sandbox's gateway: its nameserver. */
  nameserver: string;
}

/**
 * Create a sandbox's state directory: the writable tree owned by the sandbox's host uid, and its
 * resolv.conf owned by root (readable, never writable). Done ahead of time for pooled networks.
 */
export async function prepareJailFiles(paths: JailPaths, o: JailFilesOptions): Promise<void> {
  await mkdir(paths.root, { recursive: true, mode: 0o711 });
  await chmod(paths.root, 0o711);
  await mkdir(paths.fsRoot, { mode: 0o711 });
  await mkdir(join(paths.fsRoot, 'home'), { mode: 0o755 });
  for (const [dir, mode] of [
    ['home/user', 0o700],
    ['workspace', 0o755],
    ['tmp', 0o1777],
  ] as const) {
    const p = join(paths.fsRoot, dir);
    await mkdir(p);
    await chown(p, o.hostUid, o.hostUid);
    await chmod(p, mode);
  }
  await mkdir(paths.etc, { mode: 0o755 });
  await writeFile(
    join(paths.etc, 'resolv.conf'),
    `nameserver ${o.nameserver}\noptions timeout:2 attempts:2\n`,
    {
      mode: 0o644,
    },
  );
}

/** Where a sandbox's own trust bundle is kept on the host (present only when it has a CA). */
export function trustBundlePath(paths: JailPaths): string {
  return join(paths.etc, 'ca-certificates.crt');
}

/**
 * Give the sandbox its own trust bundle: the system CAs plus its CA certificate (never the key).
 * @example await writeTrustBundle(paths, session.ca.certificatePem);
 */
export async function writeTrustBundle(paths: JailPaths, caCertificatePem: string): Promise<void> {
  await writeFile(trustBundlePath(paths), `${systemBundle().trimEnd()}\n${caCertificatePem.trim()}\n`, {
    mode: 0o644,
  });
}

/** Everything a jailed process needs to be started. */
export interface JailSpec {
  paths: JailPaths;
  /** The shared /etc built by {@link buildEtcTemplate}. */
  etcTemplate: string;
  /** Whether the sandbox has its own trust bundle (system CAs + its CA) to mount over the shared one. */
  ownTrustBundle: boolean;
  hostUid: number;
  hostname: string;
  /** /run/netns/<name>. */
  netnsPath: string;
  /** cgroup.procs files to join before anything else runs. */
  cgroupProcs: readonly string[];
  /** Working directory inside the sandbox. */
  cwd: string;
  /** The complete environment of the command (already built; nothing is inherited). */
  env: Readonly<Record<string, string>>;
  /** Program and arguments, run as given (no shell unless the caller asks for one). */
  argv: readonly string[];
}

/** How to spawn a jailed process: the command line, and the bubblewrap options for pipe fd 3. */
export interface JailInvocation {
  file: string;
  args: string[];
  /** NUL-separated bubblewrap options to write to fd 3 (kept out of every command line). */
  bwrapArgs: Buffer;
  /** The environment of the spawned root processes: minimal, nothing from the sandbox. */
  spawnEnv: Record<string, string>;
}

function systemDirBinds(): string[] {
  const out: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const d of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      continue;
    }
    // Merged-/usr hosts link /bin -> usr/bin: recreate the (relative) link so it resolves inside the jail.
    if (st.isSymbolicLink()) out.push('--symlink', readlinkSync(d), d);
    else if (st.isDirectory()) out.push('--ro-bind', d, d);
  }
  return out;
}

const SH_SAFE = /^[A-Za-z0-9_./:-]+$/;

/**
 * Build the invocation for one jailed process.
 * @example
 * const inv = jailInvocation(spec);
 * const child = spawn(inv.file, inv.args, { env: inv.spawnEnv, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
 * child.stdio[3].end(inv.bwrapArgs);
 */
export function jailInvocation(spec: JailSpec): JailInvocation {
  for (const p of [...spec.cgroupProcs, spec.netnsPath]) {
    if (!SH_SAFE.test(p)) throw new Error(`unsafe path for the jail prelude: ${p}`);
  }
  const prelude = [...spec.cgroupProcs.map((f) => `echo $$ > ${f}`), 'exec "$@"'].join(' && ');
  const b: string[] = [
    '--unshare-user',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    spec.hostname,
    ...systemDirBinds(),
  ];
  b.push('--ro-bind', spec.etcTemplate, '/etc');
  b.push('--ro-bind', join(spec.paths.etc, 'resolv.conf'), '/etc/resolv.conf');
  if (spec.ownTrustBundle) b.push('--ro-bind', trustBundlePath(spec.paths), SANDBOX_CA_BUNDLE);
  b.push('--proc', '/proc', '--dev', '/dev', '--dir', '/run', '--dir', '/var');
  b.push('--bind', join(spec.paths.fsRoot, 'home', 'user'), SANDBOX_HOME);
  b.push('--bind', join(spec.paths.fsRoot, 'workspace'), '/workspace');
  b.push('--bind', join(spec.paths.fsRoot, 'tmp'), '/tmp');
  b.push('--symlink', '/tmp', '/var/tmp', '--chdir', spec.cwd, '--clearenv');
  for (const [k, v] of Object.entries(spec.env)) b.push('--setenv', k, v);
  const bwrapArgs = Buffer.from(b.map((a) => `${a}\0`).join(''));
  const chain = [
    'nsenter',
    `--net=${spec.netnsPath}`,
    `--setuid=${spec.hostUid}`,
    `--setgid=${spec.hostUid}`,
    '--',
    'bwrap',
    '--args',
    '3',
    '--',
    ...spec.argv,
  ];
  // Without cgroups there is nothing to join first, and no shell is needed.
  const [file, args] = spec.cgroupProcs.length
    ? ['/bin/sh', ['-c', prelude, 'declaw-jail', ...chain]]
    : ['nsenter', chain.slice(1)];
  return {
    file: file as string,
    args: args as string[],
    bwrapArgs,
    spawnEnv: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
  };
}

/** The environment every command starts from (before the sandbox's and the command's own variables). */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: SANDBOX_HOME,
    USER: 'user',
    LOGNAME: 'user',
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
  };
  for (const v of CA_ENV_VARS) env[v] = SANDBOX_CA_BUNDLE;
  return env;
}
