/**
 * The SDK talking to `declaw serve` over its REST API (the same one @declaw/sdk speaks). Errors come
 * back as the classes the embedded runtime throws: SandboxNotFoundError, PolicyInvalidError, ...
 */
import {
  DeclawError,
  InvalidArgumentError,
  PolicyInvalidError,
  type ErrorCodeValue,
  type PolicyIssue,
} from '../errors.js';
import { SandboxNotFoundError, type CommandResult } from '../errors.js';
import type {
  AuditPage,
  SandboxBackend,
  SandboxDescription,
  SdkAuditQuery,
  SdkEntryInfo,
  SdkRunOptions,
} from './backend.js';

/** An error the daemon answered with that has no class of its own on this side. */
export class RemoteApiError extends DeclawError {
  constructor(
    code: string,
    message: string,
    /** HTTP status. */
    readonly status: number,
  ) {
    super(code as ErrorCodeValue, message);
  }
}

type Json = Record<string, unknown>;

function describe(d: Json): SandboxDescription {
  return {
    sandboxId: String(d.sandbox_id),
    startedAt: new Date(String(d.started_at)),
    endAt: new Date(String(d.end_at)),
    metadata: (d.metadata as Record<string, string>) ?? {},
    envs: (d.envs as Record<string, string>) ?? {},
  };
}

function result(d: Json): CommandResult {
  const r: CommandResult = {
    stdout: String(d.stdout ?? ''),
    stderr: String(d.stderr ?? ''),
    exitCode: Number(d.exit_code ?? 0),
  };
  if (typeof d.error === 'string') r.error = d.error;
  if (typeof d.signal === 'string') r.signal = d.signal;
  return r;
}

const entry = (d: Json): SdkEntryInfo => ({
  name: String(d.name),
  path: String(d.path),
  type: String(d.type),
  size: Number(d.size),
});

/**
 * @example
 * const backend = new RemoteBackend({ apiUrl: 'http://127.0.0.1:8735', apiKey: process.env.DECLAW_API_KEY! });
 */
export class RemoteBackend implements SandboxBackend {
  private readonly base: string;

  constructor(private readonly o: { apiUrl: string; apiKey: string }) {
    let url: URL;
    try {
      url = new URL(o.apiUrl);
    } catch {
      throw new InvalidArgumentError('apiUrl', `"${o.apiUrl}" is not a URL; use e.g. http://127.0.0.1:8735`);
    }
    this.base = url.toString().replace(/\/$/, '');
  }

  private async request(
    method: string,
    path: string,
    o: { json?: unknown; body?: Uint8Array; query?: Record<string, string>; raw?: boolean; id?: string } = {},
  ): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${this.o.apiKey}` };
    let body: string | Uint8Array | undefined;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    } else if (o.body) {
      headers['content-type'] = 'application/octet-stream';
      body = o.body;
    }
    const res = await fetch(url, { method, headers, body });
    if (res.ok) return res;
    let err: Json = {};
    try {
      err = (await res.json()) as Json;
    } catch {
      // not JSON: keep the status
    }
    const code = String(err.code ?? 'DECLAW_INTERNAL');
    const message = String(err.message ?? `HTTP ${res.status}`);
    if (code === 'DECLAW_POLICY_INVALID' && Array.isArray(err.issues))
      throw new PolicyInvalidError(err.issues as PolicyIssue[], 'security.policy_json');
    if (code === 'DECLAW_SANDBOX_NOT_FOUND' && o.id) throw new SandboxNotFoundError('sandbox', o.id);
    throw new RemoteApiError(code, message, res.status);
  }

  private async json(
    method: string,
    path: string,
    o: Parameters<RemoteBackend['request']>[2] = {},
  ): Promise<Json> {
    return (await (await this.request(method, path, o)).json()) as Json;
  }

  async create(o: {
    policyJson: string;
    timeoutMs: number;
    envs?: Record<string, string>;
    metadata?: Record<string, string>;
  }): Promise<SandboxDescription> {
    return describe(
      await this.json('POST', '/sandboxes', {
        json: {
          timeout: o.timeoutMs / 1000,
          envs: o.envs,
          metadata: o.metadata,
          security: { policy_json: o.policyJson },
        },
      }),
    );
  }

  async describe(id: string): Promise<SandboxDescription> {
    return describe(await this.json('GET', `/sandboxes/${encodeURIComponent(id)}`, { id }));
  }

  async list(): Promise<SandboxDescription[]> {
    const out: SandboxDescription[] = [];
    let token: string | undefined;
    do {
      const page = await this.json('GET', '/sandboxes', {
        query: { limit: '1000', ...(token ? { next_token: token } : {}) },
      });
      out.push(...(page.sandboxes as Json[]).map(describe));
      token = typeof page.next_token === 'string' ? page.next_token : undefined;
    } while (token);
    return out;
  }

  async kill(id: string): Promise<boolean> {
    try {
      return Boolean((await this.json('DELETE', `/sandboxes/${encodeURIComponent(id)}`, { id })).killed);
    } catch (err) {
      if (err instanceof SandboxNotFoundError) return false;
      throw err;
    }
  }

  async setTimeout(id: string, timeoutMs: number): Promise<void> {
    await this.json('PATCH', `/sandboxes/${encodeURIComponent(id)}/timeout`, {
      id,
      json: { timeout: timeoutMs / 1000 },
    });
  }

  private cmdBody(cmd: string, o: SdkRunOptions, extra: Json): Json {
    return { cmd, cwd: o.cwd, envs: o.envs, timeout: (o.timeoutMs ?? 60_000) / 1000, ...extra };
  }

  async run(id: string, cmd: string, o: SdkRunOptions): Promise<CommandResult> {
    const path = `/sandboxes/${encodeURIComponent(id)}/commands`;
    if (!o.onStdout && !o.onStderr)
      return result(await this.json('POST', path, { id, json: this.cmdBody(cmd, o, {}) }));
    const res = await this.request('POST', `${path}/stream`, {
      id,
      json: this.cmdBody(cmd, o, { stream: true }),
    });
    let stdout = '';
    let stderr = '';
    let end: Json | undefined;
    let buf = '';
    const dec = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (!data) continue;
        const ev = JSON.parse(data) as Json;
        if (ev.type === 'stdout') {
          stdout += String(ev.data);
          o.onStdout?.(String(ev.data));
        } else if (ev.type === 'stderr') {
          stderr += String(ev.data);
          o.onStderr?.(String(ev.data));
        } else if (ev.exit_code !== undefined) end = ev;
      }
    }
    const r: CommandResult = { stdout, stderr, exitCode: Number(end?.exit_code ?? -1) };
    if (typeof end?.error_kind === 'string') r.error = end.error_kind;
    return r;
  }

  async start(id: string, cmd: string, o: SdkRunOptions): Promise<number> {
    const d = await this.json('POST', `/sandboxes/${encodeURIComponent(id)}/commands`, {
      id,
      json: this.cmdBody(cmd, o, { background: true }),
    });
    return Number(d.pid);
  }

  async wait(id: string, pid: number): Promise<CommandResult> {
    return result(await this.json('GET', `/sandboxes/${encodeURIComponent(id)}/commands/${pid}/wait`));
  }

  async killCommand(id: string, pid: number): Promise<boolean> {
    return Boolean(
      (await this.json('DELETE', `/sandboxes/${encodeURIComponent(id)}/commands/${pid}`, { id })).killed,
    );
  }

  async sendStdin(id: string, pid: number, data: string): Promise<void> {
    await this.json('POST', `/sandboxes/${encodeURIComponent(id)}/commands/${pid}/stdin`, { json: { data } });
  }

  async listCommands(id: string): Promise<Array<{ pid: number; cmd: string }>> {
    const list = (await (
      await this.request('GET', `/sandboxes/${encodeURIComponent(id)}/commands`, { id })
    ).json()) as Json[];
    return list.map((p) => ({ pid: Number(p.pid), cmd: String(p.cmd) }));
  }

  async writeFile(id: string, path: string, data: string | Uint8Array): Promise<SdkEntryInfo> {
    const base = `/sandboxes/${encodeURIComponent(id)}/files`;
    const d =
      typeof data === 'string'
        ? await this.json('POST', base, { id, json: { path, data } })
        : await this.json('PUT', `${base}/raw`, { id, body: data, query: { path } });
    return { name: path.split('/').pop() ?? '', path: String(d.path), type: 'file', size: Number(d.size) };
  }

  async readFile(id: string, path: string): Promise<Uint8Array> {
    const res = await this.request('GET', `/sandboxes/${encodeURIComponent(id)}/files`, {
      id,
      query: { path },
    });
    return new Uint8Array(await res.arrayBuffer());
  }

  async listFiles(id: string, path: string, depth: number): Promise<SdkEntryInfo[]> {
    const res = await this.request('GET', `/sandboxes/${encodeURIComponent(id)}/files/list`, {
      id,
      query: { path, depth: String(depth) },
    });
    return ((await res.json()) as Json[]).map(entry);
  }

  async exists(id: string, path: string): Promise<boolean> {
    return Boolean(
      (await this.json('GET', `/sandboxes/${encodeURIComponent(id)}/files/exists`, { id, query: { path } }))
        .exists,
    );
  }

  async getInfo(id: string, path: string): Promise<SdkEntryInfo> {
    return entry(
      await this.json('GET', `/sandboxes/${encodeURIComponent(id)}/files/info`, { id, query: { path } }),
    );
  }

  async remove(id: string, path: string): Promise<void> {
    await this.json('DELETE', `/sandboxes/${encodeURIComponent(id)}/files`, { id, query: { path } });
  }

  async rename(id: string, from: string, to: string): Promise<SdkEntryInfo> {
    return entry(
      await this.json('PATCH', `/sandboxes/${encodeURIComponent(id)}/files`, {
        id,
        json: { old_path: from, new_path: to },
      }),
    );
  }

  async makeDir(id: string, path: string): Promise<boolean> {
    return Boolean(
      (await this.json('POST', `/sandboxes/${encodeURIComponent(id)}/files/mkdir`, { id, json: { path } }))
        .created,
    );
  }

  async audit(id: string | undefined, q: SdkAuditQuery): Promise<AuditPage> {
    const query: Record<string, string> = {};
    if (q.types?.length) query.type = q.types.join(',');
    if (q.since) query.since = q.since.toISOString();
    if (q.until) query.until = q.until.toISOString();
    if (q.cursor !== undefined) query.cursor = String(q.cursor);
    if (q.limit !== undefined) query.limit = String(q.limit);
    const d = await this.json('GET', id ? `/sandboxes/${encodeURIComponent(id)}/audit` : '/audit', { query });
    return {
      entries: d.entries as AuditPage['entries'],
      nextCursor: typeof d.next_cursor === 'number' ? d.next_cursor : undefined,
    };
  }

  async close(): Promise<void> {}
}
