/**
 * The SDK with the sandbox runtime in this process: no daemon, root on Linux. It owns a proxy, a
 * sandbox manager and an in-memory audit log, and closes them with {@link EmbeddedBackend.close}.
 */
import { teeAuditSink } from '../audit/sink.js';
import type { Logger } from '../logger.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { UpstreamTrust } from '../proxy/tls/upstream-trust.js';
import { SecurityPolicy } from '../policy/security-policy.js';
import type { CommandHandle } from '../sandbox/commands.js';
import type { CommandResult } from '../errors.js';
import { SandboxManager, type SandboxManagerOptions } from '../sandbox/sandbox-manager.js';
import { MemoryAuditLog } from '../server/audit-log.js';
import { settle } from '../server/routes/commands.js';
import type {
  AuditPage,
  SandboxBackend,
  SandboxDescription,
  SdkAuditQuery,
  SdkEntryInfo,
  SdkRunOptions,
} from './backend.js';

/** Options of {@link EmbeddedBackend.start}: the sandbox manager's, plus the proxy's test hooks. */
export interface EmbeddedOptions extends Omit<SandboxManagerOptions, 'proxy' | 'onEvent'> {
  upstreamTrust?: UpstreamTrust;
  logger?: Logger;
}

const entry = (e: { name: string; path: string; type: string; size: number }): SdkEntryInfo => ({
  name: e.name,
  path: e.path,
  type: e.type,
  size: e.size,
});

/**
 * @example
 * const backend = await EmbeddedBackend.start({ tag: 'app' });
 * const sbx = await Sandbox.create({ backend });
 * await backend.close();
 */
export class EmbeddedBackend implements SandboxBackend {
  private readonly handles = new Map<string, Map<number, CommandHandle>>();

  private constructor(
    readonly manager: SandboxManager,
    private readonly proxy: ProxyServer,
    readonly auditLog: MemoryAuditLog,
  ) {}

  static async start(o: EmbeddedOptions = {}): Promise<EmbeddedBackend> {
    const log = new MemoryAuditLog();
    const proxy = new ProxyServer({
      upstreamTrust: o.upstreamTrust ?? (await UpstreamTrust.load()),
      auditSink: teeAuditSink([log]),
      logger: o.logger,
    });
    try {
      const { port } = await proxy.listenTransparent({ host: '127.0.0.1', port: 0 });
      const manager = await SandboxManager.start({
        tag: 'sd',
        ...o,
        proxy: { endpoint: { host: '127.0.0.1', port }, sessions: proxy.sessions },
        onEvent: (e) => log.record(e),
      });
      return new EmbeddedBackend(manager, proxy, log);
    } catch (err) {
      await proxy.close();
      throw err;
    }
  }

  private describeLive(id: string): SandboxDescription {
    const i = this.manager.get(id).info();
    return {
      sandboxId: i.sandboxId,
      startedAt: i.startedAt,
      endAt: i.endAt,
      metadata: i.metadata,
      envs: i.envs,
    };
  }

  async create(o: {
    policyJson: string;
    timeoutMs: number;
    envs?: Record<string, string>;
    metadata?: Record<string, string>;
  }): Promise<SandboxDescription> {
    const sbx = await this.manager.create({
      policy: SecurityPolicy.fromJSON(o.policyJson),
      timeoutMs: o.timeoutMs,
      envs: o.envs,
      metadata: o.metadata,
    });
    return this.describeLive(sbx.id);
  }

  async describe(id: string): Promise<SandboxDescription> {
    return this.describeLive(id);
  }

  async list(): Promise<SandboxDescription[]> {
    return this.manager.list().map((i) => ({
      sandboxId: i.sandboxId,
      startedAt: i.startedAt,
      endAt: i.endAt,
      metadata: i.metadata,
      envs: i.envs,
    }));
  }

  async kill(id: string): Promise<boolean> {
    this.handles.delete(id);
    return this.manager.kill(id).catch(() => false);
  }

  async setTimeout(id: string, timeoutMs: number): Promise<void> {
    this.manager.setTimeout(id, timeoutMs);
  }

  async run(id: string, cmd: string, o: SdkRunOptions): Promise<CommandResult> {
    return settle(await this.manager.get(id).commands.start(cmd, { ...o, timeoutMs: o.timeoutMs ?? 60_000 }));
  }

  async start(id: string, cmd: string, o: SdkRunOptions): Promise<number> {
    const h = await this.manager
      .get(id)
      .commands.start(cmd, { ...o, stdin: true, timeoutMs: o.timeoutMs ?? 60_000 });
    let m = this.handles.get(id);
    if (!m) this.handles.set(id, (m = new Map()));
    m.set(h.pid, h);
    return h.pid;
  }

  private handle(id: string, pid: number): CommandHandle {
    return this.handles.get(id)?.get(pid) ?? this.manager.get(id).commands.get(pid);
  }

  async wait(id: string, pid: number): Promise<CommandResult> {
    return settle(this.handle(id, pid));
  }

  async killCommand(id: string, pid: number): Promise<boolean> {
    return this.handle(id, pid).kill();
  }

  async sendStdin(id: string, pid: number, data: string): Promise<void> {
    await this.handle(id, pid).sendStdin(data);
  }

  async listCommands(id: string): Promise<Array<{ pid: number; cmd: string }>> {
    return this.manager
      .get(id)
      .commands.list()
      .map((p) => ({ pid: p.pid, cmd: p.cmd }));
  }

  async writeFile(id: string, path: string, data: string | Uint8Array): Promise<SdkEntryInfo> {
    return entry(await this.manager.get(id).files.write(path, data));
  }

  async readFile(id: string, path: string): Promise<Uint8Array> {
    return this.manager.get(id).files.read(path, { format: 'bytes' });
  }

  async listFiles(id: string, path: string, depth: number): Promise<SdkEntryInfo[]> {
    return (await this.manager.get(id).files.list(path, { depth })).map(entry);
  }

  async exists(id: string, path: string): Promise<boolean> {
    return this.manager.get(id).files.exists(path);
  }

  async getInfo(id: string, path: string): Promise<SdkEntryInfo> {
    return entry(await this.manager.get(id).files.getInfo(path));
  }

  async remove(id: string, path: string): Promise<void> {
    await this.manager.get(id).files.remove(path);
  }

  async rename(id: string, from: string, to: string): Promise<SdkEntryInfo> {
    return entry(await this.manager.get(id).files.rename(from, to));
  }

  async makeDir(id: string, path: string): Promise<boolean> {
    return this.manager.get(id).files.makeDir(path);
  }

  async audit(id: string | undefined, q: SdkAuditQuery): Promise<AuditPage> {
    return this.auditLog.query({
      sandboxId: id,
      types: q.types,
      since: q.since?.toISOString(),
      until: q.until?.toISOString(),
      after: q.cursor,
      limit: q.limit,
    });
  }

  /** Remove every sandbox and stop the proxy. */
  async close(): Promise<void> {
    await this.manager.close();
    await this.proxy.close();
  }
}
