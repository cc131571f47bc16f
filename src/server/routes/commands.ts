/**
 * Command endpoints as @declaw/sdk 1.3.0 calls them: run (foreground or background), run over SSE,
 * wait, stdin, kill, list; and the stdio sessions (`sandbox.stdio`), whose output is base64 with entry
 * ids so a stream can resume where it stopped.
 */
import { randomBytes } from 'node:crypto';
import { NotSupportedError } from '../../errors.js';
import { CommandExitError, CommandTimeoutError, type CommandResult } from '../../errors.js';
import type { CommandHandle, RunOptions } from '../../sandbox/commands.js';
import { SandboxNotFoundError } from '../../errors.js';
import { openSse, readJson, sendJson } from '../http-io.js';
import type { Router } from '../router.js';
import { runCommandBody, stdinBody, stdioStartBody, type RunCommandBody } from '../schemas.js';
import type { ServerState, StdioSession } from '../server-state.js';

/** The result as the SDK's `parseCommandResult` reads it. */
export function resultJson(r: CommandResult): Record<string, unknown> {
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exit_code: r.exitCode,
    ...(r.error ? { error: r.error } : {}),
    ...(r.signal ? { signal: r.signal } : {}),
  };
}

/** A finished command's result whatever its exit code (the SDK decides what a non-zero exit means). */
export async function settle(handle: CommandHandle): Promise<CommandResult> {
  try {
    return await handle.wait();
  } catch (err) {
    if (err instanceof CommandExitError || err instanceof CommandTimeoutError) return err.result;
    throw err;
  }
}

function checkUser(user: string | undefined): void {
  if (user !== undefined && user !== 'user') {
    throw new NotSupportedError(
      `running commands as "${user}"`,
      'commands run as the sandbox user; omit user',
    );
  }
}

function runOptions(body: Pick<RunCommandBody, 'cwd' | 'envs' | 'timeout' | 'stdin'>): RunOptions {
  return {
    cwd: body.cwd,
    envs: body.envs,
    timeoutMs: Math.round((body.timeout ?? 60) * 1000),
    stdin: body.stdin,
  };
}

function pidOf(raw: string | undefined): number {
  const pid = Number(raw);
  if (!Number.isInteger(pid) || pid <= 0) throw new SandboxNotFoundError('command', String(raw));
  return pid;
}

/** Register the command routes. */
export function commandRoutes(router: Router, state: ServerState): void {
  router.add('POST', '/sandboxes/:id/commands', async ({ req, res, params }) => {
    const id = params.id as string;
    const body = await readJson(req, state.limits.jsonBytes, runCommandBody);
    checkUser(body.user);
    const sbx = state.runtime.get(id);
    if (body.background) {
      // Background commands keep stdin open (unless the body says otherwise): the SDK's sendStdin needs it.
      const handle = await sbx.commands.start(body.cmd, runOptions({ ...body, stdin: body.stdin ?? true }));
      state.remember(id, handle);
      sendJson(res, 200, { pid: handle.pid });
      return;
    }
    const handle = await sbx.commands.start(body.cmd, runOptions(body));
    sendJson(res, 200, { ...resultJson(await settle(handle)), pid: handle.pid });
  });

  router.add('POST', '/sandboxes/:id/commands/stream', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, runCommandBody);
    checkUser(body.user);
    const sbx = state.runtime.get(params.id as string);
    // Output may come before the stream is open (a start error must still be a JSON error): hold it.
    const out: { sse?: ReturnType<typeof openSse> } = {};
    const pending: Array<{ type: string; data: string }> = [];
    const emit = (type: string, data: string) =>
      out.sse ? out.sse.send({ type, data }) : pending.push({ type, data });
    const handle = await sbx.commands.start(body.cmd, {
      ...runOptions(body),
      onStdout: (d) => emit('stdout', d),
      onStderr: (d) => emit('stderr', d),
    });
    const sse = openSse(res);
    out.sse = sse;
    sse.send({ type: 'start', pid: handle.pid });
    for (const p of pending) sse.send(p);
    // A client that goes away takes its command with it, as a closed terminal would.
    res.on('close', () => void handle.kill().catch(() => undefined));
    const r = await settle(handle);
    sse.send({ exit_code: r.exitCode, ...(r.error ? { error_kind: r.error } : {}) });
    sse.end();
  });

  router.add('GET', '/sandboxes/:id/commands', ({ res, params }) => {
    const list = state.runtime.get(params.id as string).commands.list();
    sendJson(
      res,
      200,
      list.map((p) => ({
        pid: p.pid,
        cmd: p.cmd,
        cwd: p.cwd,
        envs: p.envs,
        is_pty: false,
        started_at: p.startedAt.toISOString(),
      })),
    );
  });

  router.add('GET', '/sandboxes/:id/commands/:pid/wait', async ({ res, params }) => {
    const handle = state.command(params.id as string, pidOf(params.pid));
    sendJson(res, 200, resultJson(await settle(handle)));
  });

  router.add('DELETE', '/sandboxes/:id/commands/:pid', async ({ res, params }) => {
    const id = params.id as string;
    state.runtime.get(id);
    let killed = false;
    try {
      killed = await state.command(id, pidOf(params.pid)).kill();
    } catch (err) {
      if (!(err instanceof SandboxNotFoundError)) throw err;
    }
    sendJson(res, 200, { killed });
  });

  router.add('POST', '/sandboxes/:id/commands/:pid/stdin', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, stdinBody);
    await state.command(params.id as string, pidOf(params.pid)).sendStdin(body.data);
    sendJson(res, 200, { ok: true });
  });

  stdioRoutes(router, state);
}

function stdioSession(state: ServerState, id: string, cmdId: string | undefined): StdioSession {
  const s = state.of(id).stdio.get(cmdId ?? '');
  if (!s) throw new SandboxNotFoundError('stdio command', String(cmdId));
  return s;
}

function stdioRoutes(router: Router, state: ServerState): void {
  router.add('POST', '/sandboxes/:id/stdio', async ({ req, res, params }) => {
    const id = params.id as string;
    const body = await readJson(req, state.limits.jsonBytes, stdioStartBody);
    checkUser(body.user);
    const sbx = state.runtime.get(id);
    let seq = 0;
    const session: StdioSession = {
      entries: [],
      listeners: new Set(),
      handle: undefined as unknown as CommandHandle,
    };
    const push = (kind: 'stdout' | 'stderr', d: string) => {
      session.entries.push({ id: ++seq, kind, data: Buffer.from(d, 'utf8').toString('base64') });
      for (const l of session.listeners) l();
    };
    session.handle = await sbx.commands.start(body.cmd, {
      cwd: body.cwd,
      envs: body.envs,
      stdin: true,
      timeoutMs: 0,
      onStdout: (d) => push('stdout', d),
      onStderr: (d) => push('stderr', d),
    });
    void settle(session.handle).then(
      (r) => {
        session.exitCode = r.exitCode;
        for (const l of session.listeners) l();
      },
      () => undefined,
    );
    const cmdId = randomBytes(8).toString('hex');
    state.of(id).stdio.set(cmdId, session);
    state.remember(id, session.handle);
    sendJson(res, 200, { cmd_id: cmdId, pid: session.handle.pid });
  });

  router.add('GET', '/sandboxes/:id/stdio/:cmd/stream', async ({ res, params, query }) => {
    const session = stdioSession(state, params.id as string, params.cmd);
    let sent = Number(query.get('last_entry_id') ?? 0) || 0;
    const sse = openSse(res);
    await new Promise<void>((resolve) => {
      const flush = () => {
        for (const e of session.entries) {
          if (e.id <= sent) continue;
          sse.send({ entry_id: e.id, data: e.data }, e.kind);
          sent = e.id;
        }
        if (session.exitCode !== undefined) {
          sse.send({ exit_code: session.exitCode }, 'exit');
          done();
        }
      };
      const done = () => {
        session.listeners.delete(flush);
        resolve();
      };
      session.listeners.add(flush);
      res.on('close', done);
      flush();
    });
    sse.end();
  });

  router.add('POST', '/sandboxes/:id/stdio/:cmd/stdin', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, stdinBody);
    await stdioSession(state, params.id as string, params.cmd).handle.sendStdin(
      Buffer.from(body.data, 'base64'),
    );
    sendJson(res, 200, { ok: true });
  });

  router.add('POST', '/sandboxes/:id/stdio/:cmd/stdin/close', ({ res, params }) => {
    stdioSession(state, params.id as string, params.cmd).handle.closeStdin();
    sendJson(res, 200, { ok: true });
  });

  router.add('DELETE', '/sandboxes/:id/stdio/:cmd', async ({ res, params }) => {
    const killed = await stdioSession(state, params.id as string, params.cmd).handle.kill();
    sendJson(res, 200, { killed });
  });
}
