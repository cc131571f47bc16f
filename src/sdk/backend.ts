/**
 * What the SDK's Sandbox needs from where sandboxes run: a daemon over the REST API
 * ({@link RemoteBackend}) or the sandbox runtime in this process ({@link EmbeddedBackend}). Both give
 * the same shapes and the same errors.
 */
import type { CommandResult } from '../errors.js';
import type { AuditEntryJSON, AuditPage } from '../server/audit-log.js';

/** A sandbox as the SDK describes it. */
export interface SandboxDescription {
  sandboxId: string;
  startedAt: Date;
  endAt: Date;
  metadata: Record<string, string>;
  /** Env vars with masked values. */
  envs: Record<string, string>;
}

/** A file or directory entry. */
export interface SdkEntryInfo {
  name: string;
  path: string;
  type: string;
  size: number;
}

/** Options of a command. `timeoutMs` 0 means none (default 60 s). */
export interface SdkRunOptions {
  cwd?: string;
  envs?: Record<string, string>;
  timeoutMs?: number;
  onStdout?: (data: string) => void;
  onStderr?: (data: string) => void;
}

/** Audit query of the SDK. */
export interface SdkAuditQuery {
  types?: readonly string[];
  since?: Date;
  until?: Date;
  cursor?: number;
  limit?: number;
}

/** Everything a Sandbox does, by sandbox id. */
export interface SandboxBackend {
  create(o: {
    policyJson: string;
    timeoutMs: number;
    envs?: Record<string, string>;
    metadata?: Record<string, string>;
  }): Promise<SandboxDescription>;
  describe(id: string): Promise<SandboxDescription>;
  list(): Promise<SandboxDescription[]>;
  kill(id: string): Promise<boolean>;
  setTimeout(id: string, timeoutMs: number): Promise<void>;
  /** Whatever the exit code: the caller decides what non-zero means. */
  run(id: string, cmd: string, o: SdkRunOptions): Promise<CommandResult>;
  start(id: string, cmd: string, o: SdkRunOptions): Promise<number>;
  wait(id: string, pid: number): Promise<CommandResult>;
  killCommand(id: string, pid: number): Promise<boolean>;
  sendStdin(id: string, pid: number, data: string): Promise<void>;
  listCommands(id: string): Promise<Array<{ pid: number; cmd: string }>>;
  writeFile(id: string, path: string, data: string | Uint8Array): Promise<SdkEntryInfo>;
  readFile(id: string, path: string): Promise<Uint8Array>;
  listFiles(id: string, path: string, depth: number): Promise<SdkEntryInfo[]>;
  exists(id: string, path: string): Promise<boolean>;
  getInfo(id: string, path: string): Promise<SdkEntryInfo>;
  remove(id: string, path: string): Promise<void>;
  rename(id: string, from: string, to: string): Promise<SdkEntryInfo>;
  makeDir(id: string, path: string): Promise<boolean>;
  audit(id: string | undefined, q: SdkAuditQuery): Promise<AuditPage>;
  close(): Promise<void>;
}

export type { AuditEntryJSON, AuditPage };
