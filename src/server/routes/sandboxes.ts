/**
 * Sandbox lifecycle endpoints, shaped as @declaw/sdk 1.3.0 expects: POST/GET /sandboxes, GET and
 * DELETE /sandboxes/:id, kill-many, status, timeout, metrics.
 */
import { InvalidArgumentError, NotSupportedError } from '../../errors.js';
import { SecurityPolicy } from '../../policy/security-policy.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { SandboxInfo } from '../../sandbox/sandbox.js';
import { readJson, sendJson } from '../http-io.js';
import type { Router } from '../router.js';
import { createSandboxBody, killManyBody, timeoutBody, type CreateSandboxBody } from '../schemas.js';
import type { ServerState } from '../server-state.js';

const ALL_TRAFFIC = '0.0.0.0/0';
/** Template names the SDK sends when none is chosen; they mean "the host's own userland". */
const DEFAULT_TEMPLATES = new Set(['base', 'default']);

type NetworkBody = NonNullable<CreateSandboxBody['network']>;

function networkJson(n: NetworkBody): { allow_out: string[]; deny_out: string[] } {
  if (n.mask_request_host !== undefined) {
    throw new NotSupportedError(
      'network.mask_request_host',
      'remove it; declaw does not rewrite request hosts',
    );
  }
  const deny = [...(n.deny_out ?? [])];
  // allow_public_traffic: false means nothing public unless allowed: the same as denying ALL_TRAFFIC.
  if (n.allow_public_traffic === false && !deny.includes(ALL_TRAFFIC)) deny.push(ALL_TRAFFIC);
  return { allow_out: [...(n.allow_out ?? [])], deny_out: deny };
}

/**
 * The policy of a create request: `security.policy_json` (the wire format), with the top-level
 * `network` filling in when the policy has none (the SDK sends it in both places).
 * @throws {PolicyInvalidError} naming every problem, {@link NotSupportedError} for hosted-only fields.
 */
export function policyFromCreateBody(body: CreateSandboxBody): SecurityPolicy {
  let json: Record<string, unknown> = {};
  if (body.security?.policy_json !== undefined) {
    const parsed: unknown = (() => {
      try {
        return JSON.parse(body.security.policy_json);
      } catch (err) {
        throw new InvalidArgumentError('security.policy_json', `not valid JSON: ${(err as Error).message}`);
      }
    })();
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidArgumentError('security.policy_json', 'must be a JSON object (a SecurityPolicy)');
    }
    json = { ...(parsed as Record<string, unknown>) };
  }
  const inPolicy = json.network as NetworkBody | undefined;
  if (inPolicy && typeof inPolicy === 'object') json.network = networkJson(inPolicy);
  else if (body.network) json.network = networkJson(body.network);
  return SecurityPolicy.fromJSON(json, 'security.policy_json');
}

function refuseHostedOnly(body: CreateSandboxBody): void {
  if (body.template !== undefined && !DEFAULT_TEMPLATES.has(body.template)) {
    throw new NotSupportedError(
      `template "${body.template}"`,
      'declaw sandboxes run the host\'s own userland; omit template (or use "base") and install what you need on the host',
    );
  }
  if (body.volumes && body.volumes.length > 0) {
    throw new NotSupportedError('volumes', 'write files with sandbox.files instead');
  }
  if (body.vault_refs !== undefined) {
    throw new NotSupportedError(
      'vault references',
      'pass secrets as secure env vars in the policy (env_security.secure_env_vars)',
    );
  }
  const lc = body.lifecycle as { on_timeout?: string; auto_resume?: boolean } | undefined;
  if (lc && (lc.auto_resume || (lc.on_timeout !== undefined && lc.on_timeout !== 'kill'))) {
    throw new NotSupportedError('pause on timeout', 'declaw sandboxes are removed when their TTL ends');
  }
}

/** The wire form of a sandbox, as `parseSandboxInfo` of the SDK reads it (plus declaw's own fields). */
export function sandboxJson(info: SandboxInfo, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sandbox_id: info.sandboxId,
    template_id: 'base',
    name: '',
    metadata: info.metadata,
    started_at: info.startedAt.toISOString(),
    end_at: info.endAt.toISOString(),
    state: 'running',
    envs: info.envs,
    policy: info.policy,
    network: info.network,
    proxied: info.proxied,
    intercepted: info.intercepted,
    limits: info.limits,
    ...extra,
  };
}

function metadataFilter(query: URLSearchParams): Record<string, string> {
  // The hosted API filters with metadata=key1=value1&key2=value2 (URL-encoded inside one parameter).
  const out: Record<string, string> = {};
  const raw = query.get('metadata');
  if (raw) for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  return out;
}

/** Register the lifecycle routes. */
export function sandboxRoutes(router: Router, state: ServerState): void {
  const connection = (s: Sandbox) => ({
    envd_access_token: state.of(s.id).token,
    sandbox_domain: state.domain,
  });

  router.add('POST', '/sandboxes', async ({ req, res }) => {
    const body = await readJson(req, state.limits.jsonBytes, createSandboxBody);
    refuseHostedOnly(body);
    const policy = policyFromCreateBody(body);
    const sbx = await state.runtime.create({
      policy,
      timeoutMs: Math.round((body.timeout ?? 300) * 1000),
      envs: body.envs,
      metadata: body.metadata,
    });
    sendJson(res, 201, sandboxJson(sbx.info(), connection(sbx)));
  });

  router.add('GET', '/sandboxes', async ({ res, query }) => {
    await state.sweep();
    const want = metadataFilter(query);
    const stateFilter = query.getAll('state');
    const all = state.runtime
      .list()
      .filter((s) => Object.entries(want).every(([k, v]) => s.metadata[k] === v))
      .filter(() => stateFilter.length === 0 || stateFilter.includes('running'))
      .sort(
        (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.sandboxId.localeCompare(b.sandboxId),
      );
    const limitRaw = query.get('limit');
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidArgumentError('limit', 'must be an integer from 1 to 1000');
    }
    const after = query.get('next_token');
    const start = after ? all.findIndex((s) => s.sandboxId === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    sendJson(res, 200, {
      sandboxes: page.map((s) => sandboxJson(s)),
      next_token: more ? page[page.length - 1]?.sandboxId : null,
    });
  });

  router.add('POST', '/sandboxes/kill-many', async ({ req, res }) => {
    const body = await readJson(req, state.limits.jsonBytes, killManyBody);
    const results: Record<string, boolean> = {};
    await Promise.all(
      body.sandbox_ids.map(async (id) => {
        results[id] = await state.runtime.kill(id).catch(() => false);
        await state.forget(id);
      }),
    );
    sendJson(res, 200, { results });
  });

  router.add('GET', '/sandboxes/:id', ({ res, params }) => {
    const sbx = state.runtime.get(params.id as string);
    sendJson(res, 200, sandboxJson(sbx.info(), connection(sbx)));
  });

  router.add('DELETE', '/sandboxes/:id', async ({ res, params, query }) => {
    const id = params.id as string;
    state.runtime.get(id); // 404 for an unknown id, also when async
    const killing = state.runtime.kill(id).finally(() => state.forget(id));
    if (query.get('async') === 'true') {
      killing.catch((err: unknown) => state.logger.warn('sandbox kill failed', { sandboxId: id, err }));
      sendJson(res, 202, { queued: true });
      return;
    }
    sendJson(res, 200, { killed: await killing });
  });

  // The sandbox CA's certificate (never a key), for clients that talk to the sandbox's intercepted hosts
  // from outside, and for `declaw ca --sandbox ID`.
  router.add('GET', '/sandboxes/:id/ca', ({ res, params }) => {
    const sbx = state.runtime.get(params.id as string);
    if (!sbx.caCertificatePem) {
      throw new NotSupportedError(
        `a CA for sandbox ${sbx.id}`,
        'its policy reads no bodies, so its TLS is never intercepted and it has no CA of its own',
      );
    }
    sendJson(res, 200, { sandbox_id: sbx.id, certificate_pem: sbx.caCertificatePem });
  });

  router.add('GET', '/sandboxes/:id/status', ({ res, params }) => {
    let running = true;
    try {
      state.runtime.get(params.id as string);
    } catch {
      running = false;
    }
    sendJson(res, 200, { is_running: running, state: running ? 'running' : 'killed' });
  });

  router.add('PATCH', '/sandboxes/:id/timeout', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, timeoutBody);
    state.runtime.setTimeout(params.id as string, Math.round(body.timeout * 1000));
    const sbx = state.runtime.get(params.id as string);
    sendJson(res, 200, { sandbox_id: sbx.id, end_at: sbx.endAt.toISOString() });
  });

  router.add('GET', '/sandboxes/:id/metrics', async ({ res, params }) => {
    const m = await state.runtime.get(params.id as string).metrics();
    sendJson(res, 200, [
      {
        timestamp: m.timestamp.toISOString(),
        cpu_usage_percent: m.cpuUsedPct ?? 0,
        memory_usage_mb: m.memUsedBytes === undefined ? 0 : m.memUsedBytes / (1024 * 1024),
        memory_limit_mb: m.memLimitBytes / (1024 * 1024),
        disk_usage_mb: 0,
        cpu_time_us: m.cpuMicros ?? null,
        processes: m.processes,
      },
    ]);
  });
}
