/**
 * Commands in a sandbox. Each command runs in a fresh jail (its own PID namespace) inside the
 * sandbox's network namespace and cgroups, sharing the sandbox's files. Killing the jail's first
 * process ends the PID namespace, so a timeout or kill takes the whole process tree with it,
 * including daemons the command started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import {
  CommandExitError,
  CommandTimeoutError,
  SandboxNotFoundError,
  type CommandResult,
} from '../errors.js';
import { jailInvocation, SANDBOX_HOME, type JailSpec } from './jail.js';
import { maskEnv } from '../content/secrets/env-mask.js';
import type { MaskStream, SecretMasker } from './output-mask.js';
import type { Zygote } from './zygote.js';

/** Options of {@link Commands.run}. */
export interface RunOptions {
  /** Working directory inside the sandbox (absolute). Default /home/user. */
  cwd?: string;
  /** Extra environment variables for this command. */
  envs?: Record<string, string>;
  /** Data for standard input (then closed), or true to keep it open for sendStdin. Default: closed. */
  stdin?: string | Uint8Array | boolean;
  /** Kill the command and everything it started after this long. 0 = no timeout. Default 60 000. */
  timeoutMs?: number;
  /** Streamed output, masked like the result. */
  onStdout?: (data: string) => void;
  onStderr?: (data: string) => void;
}

/** A running command as {@link Commands.list} shows it. */
export interface ProcessInfo {
  pid: number;
  cmd: string;
  cwd: string;
  /** The command's own env vars, masked. */
  envs: Record<string, string>;
  startedAt: Date;
}

/** A background command. */
export interface CommandHandle {
  /** Host pid of the command's jail: the id used by kill/sendStdin/list. */
  readonly pid: number;
  /** Output so far (masked). */
  readonly stdout: string;
  readonly stderr: string;
  /** Wait for the end. Rejects with CommandExitError on a non-zero exit, CommandTimeoutError on a timeout. */
  wait(): Promise<CommandResult>;
  /** Kill the command and its whole process tree. Resolves false when it had already ended. */
  kill(): Promise<boolean>;
  /** Write to standard input (needs `stdin: true`). */
  sendStdin(data: string | Uint8Array): Promise<void>;
  /** Close standard input. */
  closeStdin(): void;
}

/** What Commands needs from its sandbox. */
export interface CommandContext {
  /** A jail spec for this argv, cwd and complete env. */
  jailSpec(argv: readonly string[], cwd: string, env: Record<string, string>): JailSpec;
  /** The sandbox's environment (base variables, CA variables, sandbox envs, secret placeholders). */
  env(): Record<string, string>;
  /** Mask patterns of the policy. */
  maskPatterns: readonly string[];
  /** Values masked in every output of this sandbox (its masked env values). */
  masker(extraEnv: Record<string, string>): SecretMasker;
  /** A jail started ahead of time for the next command, if there is one (see zygote.ts). */
  takeZygote?(): Zygote | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Every descendant of `pid` (children first), read from /proc; empty when it has none or is gone. */
function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 4096) {
    const p = queue.shift() as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.split(' ')) {
        const n = Number(c);
        if (Number.isInteger(n) && n > 0) {
          out.push(n);
          queue.push(n);
        }
      }
    }
  }
  return out;
}

/** Output kept per stream; beyond it the result says it was truncated. */
const MAX_OUTPUT_CHARS = 16 * 1024 * 1024;

class Running implements CommandHandle {
  out = '';
  err = '';
  private truncated = false;
  private timedOut = false;
  private killed = false;
  private readonly done: Promise<CommandResult>;
  readonly startedAt = new Date();

  constructor(
    readonly child: ChildProcess,
    readonly cmd: string,
    readonly cwd: string,
    readonly envs: Record<string, string>,
    private readonly timeoutMs: number,
    masker: SecretMasker,
    opts: RunOptions,
    onEnd: () => void,
  ) {
    const streams: Array<
      [NodeJS.ReadableStream, MaskStream, (s: string) => void, ((d: string) => void) | undefined]
    > = [
      [child.stdout as NodeJS.ReadableStream, masker.stream(), (s) => this.append('out', s), opts.onStdout],
      [child.stderr as NodeJS.ReadableStream, masker.stream(), (s) => this.append('err', s), opts.onStderr],
    ];
    const closed = streams.map(
      ([stream, mask, sink, cb]) =>
        new Promise<void>((resolve) => {
          const dec = new StringDecoder('utf8');
          const emit = (text: string) => {
            if (!text) return;
            sink(text);
            cb?.(text);
          };
          stream.on('data', (c: Buffer) => emit(mask.push(dec.write(c))));
          stream.on('end', () => {
            emit(mask.push(dec.end()));
            emit(mask.flush());
            resolve();
          });
        }),
    );
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            this.timedOut = true;
            this.terminate();
          }, timeoutMs)
        : undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', (e) => {
        this.err += e.message;
        resolve({ code: 127, signal: null });
      });
    });
    this.done = Promise.all([exited, ...closed]).then(([{ code, signal }]) => {
      if (timer) clearTimeout(timer);
      onEnd();
      const result: CommandResult = {
        stdout: this.out,
        stderr: this.err,
        exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
      };
      if (signal) result.signal = signal;
      if (this.timedOut) result.error = 'timeout';
      else if (this.killed) result.error = 'killed';
      if (this.truncated) result.error = `${result.error ? `${result.error}, ` : ''}output truncated`;
      return result;
    });
    // A background command nobody waits for must not crash the process with an unhandled rejection.
    this.done.catch(() => undefined);
  }

  private append(which: 'out' | 'err', s: string): void {
    const cur = which === 'out' ? this.out : this.err;
    if (cur.length >= MAX_OUTPUT_CHARS) {
      this.truncated = true;
      return;
    }
    const next = cur + s.slice(0, MAX_OUTPUT_CHARS - cur.length);
    if (next.length - cur.length < s.length) this.truncated = true;
    if (which === 'out') this.out = next;
    else this.err = next;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }

  terminate(): void {
    // SIGKILL the jail's outer process and every process it has started so far: its PID-1 child
    // would die with it (--die-with-parent), and with PID 1 the kernel kills every process of the
    // namespace, but a kill right after start can land before bubblewrap has armed that, leaving
    // the jail orphaned and the command running. Killing the descendants found now closes that gap.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pid = this.child.pid;
    const tree = pid === undefined ? [] : descendantPids(pid);
    this.child.kill('SIGKILL');
    for (const p of tree) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async wait(): Promise<CommandResult> {
    const result = await this.done;
    if (this.timedOut) throw new CommandTimeoutError(result, this.timeoutMs, this.cmd);
    if (result.exitCode !== 0) throw new CommandExitError(result, this.cmd);
    return result;
  }

  async kill(): Promise<boolean> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    this.killed = true;
    this.terminate();
    await this.done;
    return true;
  }

  sendStdin(data: string | Uint8Array): Promise<void> {
    const stdin = this.child.stdin as Writable | null;
    if (!stdin || stdin.writableEnded) {
      return Promise.reject(
        new InvalidArgumentError(
          'stdin',
          'standard input of this command is closed; start it with stdin: true',
        ),
      );
    }
    return new Promise((resolve, reject) => stdin.write(data, (e) => (e ? reject(e) : resolve())));
  }

  closeStdin(): void {
    this.child.stdin?.end();
  }

  /** The raw result, whatever the exit code. */
  result(): Promise<CommandResult> {
    return this.done;
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGABRT: 6,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return table[signal] ?? 0;
}

function checkCwd(cwd: string): string {
  if (!cwd.startsWith('/') || cwd.includes('\0')) {
    throw new InvalidArgumentError(
      'cwd',
      `"${cwd}" must be an absolute path inside the sandbox, e.g. /workspace`,
    );
  }
  return posix.normalize(cwd);
}

/**
 * The commands API of one sandbox.
 * @example
 * const r = await sandbox.commands.run('python3 -c "print(1+1)"');   // r.stdout === '2\n'
 * const h = await sandbox.commands.start('sleep 100');                 // background
 * await h.kill();
 */
export class Commands {
  private readonly running = new Map<number, Running>();

  constructor(private readonly ctx: CommandContext) {}

  /** Run a shell command (bash -c) and wait for it. Non-zero exit: CommandExitError with the result. */
  async run(cmd: string, opts: RunOptions = {}): Promise<CommandResult> {
    return (await this.start(cmd, opts)).wait();
  }

  /** Run a program with arguments, no shell. */
  async exec(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return (await this.startArgv(argv, argv.join(' '), opts)).wait();
  }

  /** Start a shell command in the background. */
  start(cmd: string, opts: RunOptions = {}): Promise<CommandHandle> {
    return this.startArgv(['/bin/bash', '-c', cmd], cmd, opts);
  }

  private async startArgv(argv: readonly string[], label: string, opts: RunOptions): Promise<Running> {
    if (argv.length === 0) throw new InvalidArgumentError('cmd', 'the command is empty');
    const cwd = checkCwd(opts.cwd ?? SANDBOX_HOME);
    const envs = { ...(opts.envs ?? {}) };
    for (const k of Object.keys(envs)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
        throw new InvalidArgumentError('envs', `"${k}" is not a valid environment variable name`);
      }
    }
    const env = { ...this.ctx.env(), ...envs };
    const zygote = this.ctx.takeZygote?.();
    let child: ChildProcess;
    if (zygote?.ready) child = zygote.launch(argv, cwd, env);
    else {
      zygote?.kill();
      const inv = jailInvocation(this.ctx.jailSpec(argv, cwd, env));
      child = spawn(inv.file, inv.args, { env: inv.spawnEnv, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
      const fd3 = child.stdio[3] as Writable;
      fd3.on('error', () => undefined);
      fd3.end(inv.bwrapArgs);
      child.stdin?.on('error', () => undefined);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const masker = this.ctx.masker(envs);
    const r = new Running(
      child,
      label,
      cwd,
      maskEnv(envs, this.ctx.maskPatterns),
      timeoutMs,
      masker,
      opts,
      () => this.running.delete(child.pid ?? -1),
    );
    if (child.pid !== undefined) this.running.set(child.pid, r);
    if (typeof opts.stdin === 'string' || opts.stdin instanceof Uint8Array) child.stdin?.end(opts.stdin);
    else if (opts.stdin !== true) child.stdin?.end();
    return r;
  }

  /** The commands running now. */
  list(): ProcessInfo[] {
    return [...this.running.values()].map((r) => ({
      pid: r.pid,
      cmd: r.cmd,
      cwd: r.cwd,
      envs: r.envs,
      startedAt: r.startedAt,
    }));
  }

  /** A running command's handle. @throws {SandboxNotFoundError} */
  get(pid: number): CommandHandle {
    const r = this.running.get(pid);
    if (!r) throw new SandboxNotFoundError('command', String(pid));
    return r;
  }

  /** Kill a running command and its process tree. Resolves false when it is not running. */
  async kill(pid: number): Promise<boolean> {
    const r = this.running.get(pid);
    return r ? r.kill() : false;
  }

  /** Write to a running command's standard input. */
  sendStdin(pid: number, data: string | Uint8Array): Promise<void> {
    return this.get(pid).sendStdin(data);
  }

  /** Kill every running command and wait until they have ended (sandbox kill). */
  async killAll(): Promise<void> {
    this.ctx.takeZygote?.()?.kill();
    const all = [...this.running.values()];
    for (const r of all) r.terminate();
    await Promise.all(all.map((r) => r.result()));
  }
}
