/**
 * A jail started ahead of time, waiting for its command. Starting a jail (nsenter, bubblewrap, its
 * namespaces and mounts) is most of the time between "create a sandbox" and "first command done";
 * the warm pool starts one per pooled sandbox, so the first command only has to say what to run.
 *
 * The jail runs a small bash launcher that reads, from a pipe on fd 4, the working directory, the
 * environment and the argv (NUL-separated), exports the variables, changes directory and exec's the
 * command: the command then has the jail's stdin, stdout and stderr, its PID namespace and cgroups,
 * exactly as if the jail had been started for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { jailInvocation, type JailSpec } from './jail.js';

/** Reads `cwd \0 n \0 k1 \0 v1 ... \0 argv...` from fd 4, then becomes the command. */
const LAUNCHER = [
  'args=()',
  'while IFS= read -r -d "" x <&4; do args+=("$x"); done',
  'exec 4<&-',
  'n=${args[1]}',
  'i=2',
  'for ((j = 0; j < n; j++)); do export "${args[i]}=${args[i+1]}"; i=$((i + 2)); done',
  'unset -v OLDPWD x j n',
  'cd -- "${args[0]}" || exit 1',
  'exec -- "${args[@]:i}"',
].join('\n');

/** A waiting jail. */
export interface Zygote {
  /** The jail's process: its stdio become the command's. */
  readonly child: ChildProcess;
  /** Whether it is still waiting (not launched, not dead). */
  readonly ready: boolean;
  /** Give it its command. Returns the child, now running the command. */
  launch(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>): ChildProcess;
  /** Kill it unused. */
  kill(): void;
}

/**
 * Start a jail that waits for its command.
 * @param spec the sandbox's jail spec; its argv, cwd and env are replaced by the launcher's.
 * @example
 * const z = startZygote(spec);
 * const child = z.launch(['/bin/true'], '/home/user', env);
 */
export function startZygote(spec: Omit<JailSpec, 'argv' | 'cwd' | 'env'>): Zygote {
  const inv = jailInvocation({
    ...spec,
    cwd: '/',
    env: {},
    argv: ['/bin/bash', '--norc', '--noprofile', '-c', LAUNCHER],
  });
  const child = spawn(inv.file, inv.args, {
    env: inv.spawnEnv,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
  });
  const fd3 = child.stdio[3] as Writable;
  const fd4 = child.stdio[4] as Writable;
  fd3.on('error', () => undefined);
  fd4.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  fd3.end(inv.bwrapArgs);
  let used = false;
  let dead = false;
  child.on('exit', () => {
    dead = true;
  });
  child.on('error', () => {
    dead = true;
  });
  return {
    child,
    get ready() {
      return !used && !dead && child.exitCode === null && child.signalCode === null;
    },
    launch(argv, cwd, env) {
      used = true;
      const entries = Object.entries(env);
      const fields = [cwd, String(entries.length), ...entries.flat(), ...argv];
      fd4.end(Buffer.from(fields.map((f) => `${f}\0`).join('')));
      return child;
    },
    kill() {
      used = true;
      if (!dead) child.kill('SIGKILL');
    },
  };
}
