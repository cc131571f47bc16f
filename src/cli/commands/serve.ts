import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Daemon, DEFAULT_API_HOST, DEFAULT_API_PORT, defaultDataDir } from '../../server/daemon.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';
import { GUARDRAILS_URL_OPTION } from '../guardrails-option.js';

interface ServeCliOptions {
  listen: string;
  dataDir?: string;
  warmPool: string;
  verbose?: boolean;
  guardrailsUrl?: string;
}

/** Parse HOST:PORT, [v6]:PORT or PORT. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(
      '--listen',
      `"${value}" must look like HOST:PORT, e.g. 127.0.0.1:${DEFAULT_API_PORT}`,
    );
  }
  return { host: m[1] || m[2] || DEFAULT_API_HOST, port };
}

function stderrLogger(io: CliIO, verbose: boolean): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    io.stderr(
      `${new Date().toISOString()} ${level} ${message}${fields ? ` ${JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))}` : ''}\n`,
    );
  return {
    debug: verbose ? line('debug') : () => undefined,
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}

/**
 * `declaw serve [--listen HOST:PORT] [--data-dir DIR]`: the daemon with the REST API that
 * @declaw/sdk speaks. Runs until SIGINT/SIGTERM, then removes its sandboxes.
 */
export function registerServeCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('run the daemon: a REST API compatible with @declaw/sdk (needs root for sandboxes)')
    .option('--listen <host:port>', 'address of the REST API', `${DEFAULT_API_HOST}:${DEFAULT_API_PORT}`)
    .option('--data-dir <dir>', `key file and audit data (default ${defaultDataDir()})`)
    .option('--warm-pool <n>', 'sandboxes kept ready in advance', '2')
    .option('--verbose', 'debug logging')
    .option(...GUARDRAILS_URL_OPTION)
    .action(async (opts: ServeCliOptions) => {
      try {
        const listen = parseListen(opts.listen);
        const warm = Number(opts.warmPool);
        if (!Number.isInteger(warm) || warm < 0 || warm > 64) {
          throw new InvalidArgumentError('--warm-pool', 'must be an integer from 0 to 64');
        }
        const logger = stderrLogger(io, Boolean(opts.verbose));
        const daemon = await Daemon.start({
          listen,
          dataDir: opts.dataDir,
          warmPoolSize: warm,
          logger,
          ...(opts.guardrailsUrl !== undefined ? { guardrailsUrl: opts.guardrailsUrl } : {}),
        });
        io.stdout(`declaw serve: listening on ${daemon.url}\n`);
        if (daemon.keyFile) {
          io.stdout(`  API key file: ${daemon.keyFile}${daemon.createdKey ? ' (new key generated)' : ''}\n`);
        }
        io.stdout(`  clients: DECLAW_DOMAIN=${daemon.url.replace(/^http:\/\//, '')} DECLAW_API_KEY=<key>\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        io.stdout('declaw serve: shutting down, removing sandboxes\n');
        await daemon.close();
        setExit(0);
      } catch (err) {
        setExit(reportError(io, err, false));
      }
    });
}
