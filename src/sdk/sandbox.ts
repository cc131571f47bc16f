/**
 * The TypeScript SDK's Sandbox, shaped like the seeds' `Sandbox.create(security=policy)` and the
 * hosted JS SDK: `Sandbox.create({ security, envs, timeout, metadata })`, `sandbox.files.*`,
 * `sandbox.commands.*`, `kill()`, `setTimeout()`, audit. Remote when DECLAW_API_URL is set (or
 * `apiUrl` given), otherwise the `backend` passed in (e.g. an {@link EmbeddedBackend}).
 */
import { InvalidArgumentError } from '../errors.js';
import { SecurityPolicy, type SecurityPolicyInput } from '../policy/security-policy.js';
import { CommandExitError, CommandTimeoutError, type CommandResult } from '../errors.js';
import type {
  AuditPage,
  SandboxBackend,
  SandboxDescription,
  SdkAuditQuery,
  SdkEntryInfo,
  SdkRunOptions,
} from './backend.js';
import { RemoteBackend } from './remote-backend.js';

/** Where sandboxes run: a backend, or a daemon's URL and key (default DECLAW_API_URL / DECLAW_API_KEY). */
export interface ConnectOptions {
  backend?: SandboxBackend;
  apiUrl?: string;
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
}

/** Options of {@link Sandbox.create}. `timeout` is in seconds, as in the seeds (default 300). */
export interface CreateOptions extends ConnectOptions {
  security?: SecurityPolicy | SecurityPolicyInput | Record<string, unknown>;
  envs?: Record<string, string>;
  timeout?: number;
  metadata?: Record<string, string>;
}

/** Command options; `timeout` in seconds (0 = none, default 60). */
export interface CommandOptions {
  cwd?: string;
  envs?: Record<string, string>;
  timeout?: number;
  background?: boolean;
  onStdout?: (data: string) => void;
  onStderr?: (data: string) => void;
}

function backendFor(o: ConnectOptions): SandboxBackend {
  if (o.backend) return o.backend;
  const env = o.env ?? process.env;
  const apiUrl = o.apiUrl ?? env.DECLAW_API_URL;
  const apiKey = o.apiKey ?? env.DECLAW_API_KEY;
  if (!apiUrl || !apiKey) {
    throw new InvalidArgumentError(
      'backend',
      'set DECLAW_API_URL and DECLAW_API_KEY (a `declaw serve` daemon), or pass { backend: await EmbeddedBackend.start() } to run sandboxes in this process (root on Linux)',
    );
  }
  return new RemoteBackend({ apiUrl, apiKey });
}

function runOpts(o: CommandOptions): SdkRunOptions {
  return {
    cwd: o.cwd,
    envs: o.envs,
    timeoutMs: Math.round((o.timeout ?? 60) * 1000),
    onStdout: o.onStdout,
    onStderr: o.onStderr,
  };
}

function throwOnFailure(r: CommandResult, cmd: string, timeoutMs: number): CommandResult {
  if (r.error?.startsWith('timeout')) throw new CommandTimeoutError(r, timeoutMs, cmd);
  if (r.exitCode !== 0) throw new CommandExitError(r, cmd);
  return r;
}

/** A background command. */
export class CommandHandle {
  constructor(
    private readonly b: SandboxBackend,
    private readonly id: string,
    readonly pid: number,
    private readonly cmd: string,
    private readonly timeoutMs: number,
  ) {}

  /** Wait for the end. @throws {CommandExitError} (with `result`) on a non-zero exit. */
  async wait(): Promise<CommandResult> {
    return throwOnFailure(await this.b.wait(this.id, this.pid), this.cmd, this.timeoutMs);
  }

  kill(): Promise<boolean> {
    return this.b.killCommand(this.id, this.pid);
  }

  sendStdin(data: string): Promise<void> {
    return this.b.sendStdin(this.id, this.pid, data);
  }
}

/** `sandbox.commands` */
export class Commands {
  constructor(
    private readonly b: SandboxBackend,
    private readonly id: string,
  ) {}

  /**
   * Run a shell command. Foreground: resolves with the result, or throws {@link CommandExitError}
   * (carrying the result) on a non-zero exit. `background: true`: resolves with a handle.
   * @example const r = await sbx.commands.run('python3 -c "print(1)"'); // r.stdout === '1\n'
   */
  run(cmd: string, o: CommandOptions & { background: true }): Promise<CommandHandle>;
  run(cmd: string, o?: CommandOptions & { background?: false }): Promise<CommandResult>;
  async run(cmd: string, o: CommandOptions = {}): Promise<CommandResult | CommandHandle> {
    const ro = runOpts(o);
    if (o.background)
      return new CommandHandle(this.b, this.id, await this.b.start(this.id, cmd, ro), cmd, ro.timeoutMs ?? 0);
    return throwOnFailure(await this.b.run(this.id, cmd, ro), cmd, ro.timeoutMs ?? 0);
  }

  list(): Promise<Array<{ pid: number; cmd: string }>> {
    return this.b.listCommands(this.id);
  }

  kill(pid: number): Promise<boolean> {
    return this.b.killCommand(this.id, pid);
  }

  sendStdin(pid: number, data: string): Promise<void> {
    return this.b.sendStdin(this.id, pid, data);
  }
}

/** `sandbox.files` */
export class Files {
  constructor(
    private readonly b: SandboxBackend,
    private readonly id: string,
  ) {}

  write(path: string, data: string | Uint8Array): Promise<SdkEntryInfo> {
    return this.b.writeFile(this.id, path, data);
  }

  /** Write several files in order. */
  async writeFiles(
    files: ReadonlyArray<{ path: string; data: string | Uint8Array }>,
  ): Promise<SdkEntryInfo[]> {
    const out: SdkEntryInfo[] = [];
    for (const f of files) out.push(await this.b.writeFile(this.id, f.path, f.data));
    return out;
  }

  read(path: string, o?: { format?: 'text' }): Promise<string>;
  read(path: string, o: { format: 'bytes' }): Promise<Uint8Array>;
  async read(path: string, o: { format?: 'text' | 'bytes' } = {}): Promise<string | Uint8Array> {
    const bytes = await this.b.readFile(this.id, path);
    return o.format === 'bytes' ? bytes : Buffer.from(bytes).toString('utf8');
  }

  list(path: string, o: { depth?: number } = {}): Promise<SdkEntryInfo[]> {
    return this.b.listFiles(this.id, path, o.depth ?? 1);
  }

  exists(path: string): Promise<boolean> {
    return this.b.exists(this.id, path);
  }

  getInfo(path: string): Promise<SdkEntryInfo> {
    return this.b.getInfo(this.id, path);
  }

  remove(path: string): Promise<void> {
    return this.b.remove(this.id, path);
  }

  rename(from: string, to: string): Promise<SdkEntryInfo> {
    return this.b.rename(this.id, from, to);
  }

  makeDir(path: string): Promise<boolean> {
    return this.b.makeDir(this.id, path);
  }
}

/**
 * @example
 * const sbx = await Sandbox.create({
 *   security: { pii: PIIConfig({ enabled: true, types: ['ssn', 'email'] }), network: { allowOut: ['*.openai.com'], denyOut: [ALL_TRAFFIC] } },
 * });
 * await sbx.files.write('/workspace/call_api.py', script);
 * const r = await sbx.commands.run('python3 /workspace/call_api.py');
 * await sbx.kill();
 */
export class Sandbox {
  readonly files: Files;
  readonly commands: Commands;

  private constructor(
    private readonly b: SandboxBackend,
    readonly sandboxId: string,
  ) {
    this.files = new Files(b, sandboxId);
    this.commands = new Commands(b, sandboxId);
  }

  /** @throws {PolicyInvalidError} naming every problem of `security`. */
  static async create(o: CreateOptions = {}): Promise<Sandbox> {
    const policy = SecurityPolicy.from(o.security ?? {});
    const b = backendFor(o);
    const d = await b.create({
      policyJson: JSON.stringify(policy.toJSON()),
      timeoutMs: Math.round((o.timeout ?? 300) * 1000),
      envs: o.envs,
      metadata: o.metadata,
    });
    return new Sandbox(b, d.sandboxId);
  }

  /** @throws {SandboxNotFoundError} */
  static async connect(id: string, o: ConnectOptions = {}): Promise<Sandbox> {
    const b = backendFor(o);
    await b.describe(id);
    return new Sandbox(b, id);
  }

  static list(o: ConnectOptions = {}): Promise<SandboxDescription[]> {
    return backendFor(o).list();
  }

  /** Audit entries of every sandbox (for one, use `sandbox.audit()`). */
  static audit(q: SdkAuditQuery & { sandboxId?: string } = {}, o: ConnectOptions = {}): Promise<AuditPage> {
    return backendFor(o).audit(q.sandboxId, q);
  }

  getInfo(): Promise<SandboxDescription> {
    return this.b.describe(this.sandboxId);
  }

  /** Time left to live from now, in seconds. */
  setTimeout(seconds: number): Promise<void> {
    return this.b.setTimeout(this.sandboxId, Math.round(seconds * 1000));
  }

  /** Remove the sandbox with every trace of it. Resolves false when it was already gone. */
  kill(): Promise<boolean> {
    return this.b.kill(this.sandboxId);
  }

  /** This sandbox's audit entries (they stay readable after kill). */
  audit(q: SdkAuditQuery = {}): Promise<AuditPage> {
    return this.b.audit(this.sandboxId, q);
  }
}
