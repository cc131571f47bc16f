/**
 * Request bodies as @declaw/sdk 1.3.0 sends them (snake_case), validated at the boundary. Unknown
 * fields are ignored, as the hosted API does, so newer clients keep working.
 */
import { z } from 'zod';

const envs = z.record(z.string(), z.string());

/** POST /sandboxes */
export const createSandboxBody = z.object({
  template: z.string().optional(),
  /** Seconds. */
  timeout: z.number().positive().max(86_400).optional(),
  secure: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  envs: envs.optional(),
  network: z
    .object({
      allow_out: z.array(z.string()).optional(),
      deny_out: z.array(z.string()).optional(),
      allow_public_traffic: z.boolean().optional(),
      mask_request_host: z.unknown().optional(),
    })
    .optional(),
  security: z.object({ policy_json: z.string().max(1 << 20) }).optional(),
  vault_refs: z.unknown().optional(),
  volumes: z.array(z.unknown()).optional(),
  lifecycle: z.unknown().optional(),
});
export type CreateSandboxBody = z.output<typeof createSandboxBody>;

/** PATCH /sandboxes/:id/timeout (seconds) */
export const timeoutBody = z.object({ timeout: z.number().positive().max(86_400) });

/** POST /sandboxes/kill-many */
export const killManyBody = z.object({ sandbox_ids: z.array(z.string()).max(1000) });

/** POST /sandboxes/:id/commands and /commands/stream */
export const runCommandBody = z.object({
  cmd: z
    .string()
    .min(1)
    .max(1 << 20),
  background: z.boolean().optional(),
  stream: z.boolean().optional(),
  user: z.string().optional(),
  /** Seconds; 0 = no timeout. */
  timeout: z.number().min(0).max(86_400).optional(),
  envs: envs.optional(),
  cwd: z.string().optional(),
  /** declaw extension: data for standard input, or true to keep it open for /stdin. */
  stdin: z.union([z.string(), z.boolean()]).optional(),
});
export type RunCommandBody = z.output<typeof runCommandBody>;

/** POST /sandboxes/:id/commands/:pid/stdin */
export const stdinBody = z.object({ data: z.string() });

/** POST /sandboxes/:id/files */
export const writeFileBody = z.object({
  path: z.string().min(1),
  data: z.string(),
  username: z.string().optional(),
});

/** POST /sandboxes/:id/files/batch */
export const batchWriteBody = z.object({
  files: z.array(z.object({ path: z.string().min(1), data: z.string() })).max(10_000),
  username: z.string().optional(),
});

/** PATCH /sandboxes/:id/files (rename) */
export const renameBody = z.object({
  old_path: z.string().min(1),
  new_path: z.string().min(1),
  username: z.string().optional(),
});

/** POST /sandboxes/:id/files/mkdir and /files/watch */
export const pathBody = z.object({
  path: z.string().min(1),
  username: z.string().optional(),
  recursive: z.boolean().optional(),
});

/** POST /sandboxes/:id/stdio */
export const stdioStartBody = z.object({
  cmd: z
    .string()
    .min(1)
    .max(1 << 20),
  user: z.string().optional(),
  envs: envs.optional(),
  cwd: z.string().optional(),
});

/** Query of GET /audit and /sandboxes/:id/audit */
export const auditQuery = z.object({
  sandbox_id: z.string().optional(),
  type: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
