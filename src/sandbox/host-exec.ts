import { spawn } from 'node:child_process';

/** A host tool (ip, iptables-restore, ...) failed; the message has its stderr. */
export class HostToolError extends Error {
  constructor(
    readonly tool: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${tool} ${args.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`);
    this.name = 'HostToolError';
  }
}

/** Options of {@link runHostTool}. */
export interface HostToolOptions {
  /** Bytes written to the tool's standard input (e.g. an iptables-restore script). */
  input?: string;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

/** What a host tool printed. */
export interface HostToolResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * Run a host administration tool without a shell (arguments are never interpreted), with a minimal
 * environment so the host's locale or aliases cannot change its output.
 *
 * @example
 * const { stdout } = await runHostTool('ip', ['-j', 'link', 'show']);
 */
export function runHostTool(
  tool: string,
  args: readonly string[],
  options: HostToolOptions = {},
): Promise<HostToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new HostToolError(tool, args, null, e.message)));
    child.on('close', (code) => {
      const result = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
      };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new HostToolError(tool, args, code, result.stderr || result.stdout));
    });
    child.stdin.on('error', () => {
      // The tool may exit before reading its input; its exit status tells what happened.
    });
    child.stdin.end(options.input ?? '');
  });
}
