import { randomBytes, randomInt } from 'node:crypto';
import { rm, mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { loadPolicyFile } from '../../policy/load.js';
import { hasDomainRules, needsBodyInspection } from '../../policy/derived.js';
import { ProxyServer } from '../../proxy/proxy-server.js';
import { UpstreamTrust } from '../../proxy/tls/upstream-trust.js';
import { CommandExitError, CommandTimeoutError } from '../../errors.js';
import { SandboxManager, type SandboxProxy } from '../../sandbox/sandbox-manager.js';
import { claimRunTag, sweepDeadRuns } from '../../sandbox/run-owner.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** Exit status when the command hit --timeout (as timeout(1) does). */
export const EXIT_TIMEOUT = 124;
/** Where `declaw run` keeps its sandboxes (apart from the daemon's). */
export const RUN_STATE_ROOT = '/var/lib/declaw/run';

interface RunCliOptions {
  policy: string;
  timeout?: string;
  env: string[];
  cwd?: string;
  stdin?: boolean;
  ipv4Pool?: string;
  stateRoot?: string;
}

function parseEnv(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError('--env', `"${e}" must look like NAME=value`);
    out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

/**
 * Each `declaw run` uses its own tag, so concurrent runs never reconcile each other's sandboxes; an
 * owner file names the process, and a later run removes the leftovers of runs whose process is gone.
 */
async function startManager(
  o: RunCliOptions,
  stateRoot: string,
  tag: string,
  proxy?: SandboxProxy,
): Promise<SandboxManager> {
  // A private /24 for this run; another range is tried when the host (or another run) uses it.
  for (let attempt = 0; ; attempt++) {
    const pool = o.ipv4Pool ?? `10.214.${randomInt(0, 256)}.0/28`;
    try {
      return await SandboxManager.start({
        tag,
        stateRoot,
        ipv4Pool: pool,
        ipv6Pool: null,
        // Host uids apart from the daemon's (which start at 1,200,000,000) and, very likely, other runs'.
        uidBase: 1_250_000_000 + randomInt(0, 1_000_000) * 64,
        proxy,
        warmPoolSize: 0,
      });
    } catch (err) {
      const overlap = err instanceof InvalidArgumentError && /overlaps/.test(err.message);
      if (!overlap || o.ipv4Pool || attempt >= 8) throw err;
    }
  }
}

/**
 * `declaw run --policy FILE [--timeout S] [--env K=V] [--cwd DIR] [--stdin] -- cmd args...`: run one
 * command in a fresh sandbox under the policy, stream its output, exit with its exit code, and remove
 * the sandbox with every trace of it.
 */
export function registerRunCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run one command in a fresh sandbox with a policy; exits with its exit code')
    .requiredOption('--policy <file>', 'policy file, YAML or JSON')
    .option('--timeout <seconds>', 'kill the command (and everything it started) after this many seconds')
    .option(
      '--env <NAME=value>',
      'environment variable for the command (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--cwd <dir>', 'working directory inside the sandbox', '/home/user')
    .option('--stdin', 'pass standard input to the command')
    .option('--ipv4-pool <cidr>', 'address range for the sandbox (default: a free /28 in 10.214.0.0/16)')
    .option('--state-root <dir>', 'where sandbox files live', RUN_STATE_ROOT)
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (argv: string[], opts: RunCliOptions) => {
      let manager: SandboxManager | undefined;
      let proxyServer: ProxyServer | undefined;
      const stateRoot = opts.stateRoot ?? RUN_STATE_ROOT;
      const tag = `r${randomBytes(2).toString('hex').slice(0, 3)}`;
      let ownerFile: string | undefined;
      const onSignal = () => void manager?.close();
      try {
        const timeoutS = opts.timeout === undefined ? 0 : Number(opts.timeout);
        if (!Number.isFinite(timeoutS) || timeoutS < 0) {
          throw new InvalidArgumentError('--timeout', `must be a number of seconds, not "${opts.timeout}"`);
        }
        const envs = parseEnv(opts.env);
        const policy = await loadPolicyFile(opts.policy);
        await mkdir(stateRoot, { recursive: true, mode: 0o711 });
        await sweepDeadRuns(stateRoot);
        ownerFile = await claimRunTag(stateRoot, tag);
        let proxy: SandboxProxy | undefined;
        if (hasDomainRules(policy) || needsBodyInspection(policy)) {
          proxyServer = new ProxyServer({ upstreamTrust: await UpstreamTrust.load() });
          const { port } = await proxyServer.listenTransparent({ host: '127.0.0.1', port: 0 });
          proxy = { endpoint: { host: '127.0.0.1', port }, sessions: proxyServer.sessions };
        }
        manager = await startManager(opts, stateRoot, tag, proxy);
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const lifetimeMs = Math.min(24 * 3_600_000, Math.max(60_000, (timeoutS + 60) * 1000));
        const sandbox = await manager.create({ policy, envs, timeoutMs: lifetimeMs });
        let stdin: Buffer | undefined;
        if (opts.stdin) stdin = await io.readStdin();
        try {
          await sandbox.commands.exec(argv, {
            cwd: opts.cwd,
            stdin,
            timeoutMs: timeoutS * 1000,
            onStdout: (d) => io.stdout(d),
            onStderr: (d) => io.stderr(d),
          });
          setExit(0);
        } catch (err) {
          if (err instanceof CommandTimeoutError) {
            io.stderr(`declaw run: the command ran longer than ${timeoutS} s and was killed\n`);
            setExit(EXIT_TIMEOUT);
          } else if (err instanceof CommandExitError) setExit(err.result.exitCode);
          else throw err;
        }
      } catch (err) {
        setExit(reportError(io, err, false));
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        await manager?.close();
        await proxyServer?.close();
        if (ownerFile) await rm(ownerFile, { force: true });
      }
    });
}
