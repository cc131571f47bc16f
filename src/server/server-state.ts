/**
 * What the routes share: the sandbox runtime, the audit log, the limits, and per-sandbox state the
 * runtime does not keep (handles of background commands after they end, file watches, envd tokens).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { CreateSandboxOptions } from '../sandbox/sandbox-manager.js';
import type { SandboxInfo } from '../sandbox/sandbox.js';
import type { CommandHandle } from '../sandbox/commands.js';
import type { FilesystemEvent, WatchHandle } from '../sandbox/files.js';
import type { AuditQuery } from './audit-log.js';

/** The part of SandboxManager the daemon uses (tests may pass their own). */
export interface SandboxRuntime {
  create(opts: CreateSandboxOptions): Promise<Sandbox>;
  get(id: string): Sandbox;
  list(): SandboxInfo[];
  kill(id: string): Promise<boolean>;
  setTimeout(id: string, timeoutMs: number): void;
}

/** Size limits of request bodies. */
export interface BodyLimits {
  /** JSON bodies (commands, text file writes, batches). Default 16 MiB. */
  jsonBytes: number;
  /** Raw uploads (PUT /files/raw). Default 256 MiB. */
  rawBytes: number;
}

/** Default {@link BodyLimits}. */
export const DEFAULT_BODY_LIMITS: BodyLimits = { jsonBytes: 16 << 20, rawBytes: 256 << 20 };

/** A stdio session (the SDK's `sandbox.stdio`): output kept with entry ids so a stream can resume. */
export interface StdioSession {
  handle: CommandHandle;
  entries: Array<{ id: number; kind: 'stdout' | 'stderr'; data: string }>;
  exitCode?: number;
  listeners: Set<() => void>;
}

interface PerSandbox {
  token: string;
  commands: Map<number, CommandHandle>;
  watches: Map<
    string,
    {
      handle: WatchHandle;
      events: Array<{ type: FilesystemEvent['type']; name: string; path: string; timestamp: string }>;
    }
  >;
  stdio: Map<string, StdioSession>;
}

const MAX_KEPT_COMMANDS = 1000;

/**
 * @example
 * const state = new ServerState(manager, auditLog, logger);
 * state.remember(sbx.id, handle); state.command(sbx.id, handle.pid).wait();
 */
export class ServerState {
  private readonly per = new Map<string, PerSandbox>();

  constructor(
    readonly runtime: SandboxRuntime,
    readonly audit: AuditQuery,
    readonly logger: Logger,
    readonly limits: BodyLimits = DEFAULT_BODY_LIMITS,
    /** Host:port the daemon answers on, returned as `sandbox_domain`. */
    public domain = '',
  ) {}

  /** Per-sandbox state, created on first use. Throws SandboxNotFoundError when the sandbox is gone. */
  of(id: string): PerSandbox {
    this.runtime.get(id);
    let p = this.per.get(id);
    if (!p) {
      p = {
        token: randomBytes(24).toString('base64url'),
        commands: new Map(),
        watches: new Map(),
        stdio: new Map(),
      };
      this.per.set(id, p);
    }
    return p;
  }

  /** Whether `token` is the envd access token of sandbox `id` (constant time). */
  verifyToken(id: string, token: string): boolean {
    const want = Buffer.from(this.of(id).token);
    const got = Buffer.from(token);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** Keep a background command's handle so /wait works after it ended. */
  remember(id: string, handle: CommandHandle): void {
    const cmds = this.of(id).commands;
    cmds.set(handle.pid, handle);
    if (cmds.size > MAX_KEPT_COMMANDS) {
      const oldest = cmds.keys().next();
      if (!oldest.done) cmds.delete(oldest.value);
    }
  }

  /** A command started through the API, running or ended; falls back to the runtime's running ones. */
  command(id: string, pid: number): CommandHandle {
    return this.of(id).commands.get(pid) ?? this.runtime.get(id).commands.get(pid);
  }

  /** Forget a sandbox: stop its watches. */
  async forget(id: string): Promise<void> {
    const p = this.per.get(id);
    this.per.delete(id);
    if (!p) return;
    await Promise.all([...p.watches.values()].map((w) => w.handle.stop().catch(() => undefined)));
  }

  /** Forget sandboxes the runtime no longer has (TTL expiry). */
  async sweep(): Promise<void> {
    const live = new Set(this.runtime.list().map((s) => s.sandboxId));
    for (const id of [...this.per.keys()]) if (!live.has(id)) await this.forget(id);
  }
}
