import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  createGuardrailsService,
  GUARDRAILS_SERVICE_DEFAULTS,
  loadDefaultEngines,
  withPlugin,
  type GuardrailsEngines,
  type GuardrailsService,
} from '../../guardrails/service/index.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';
import { parseListen } from './serve.js';
import { withInterrupt } from '../interrupt.js';

/** Where `declaw guardrails serve` listens unless told otherwise. */
export const DEFAULT_GUARDRAILS_LISTEN = '127.0.0.1:8700';

/** Flags of `declaw guardrails serve`, as commander parses them. */
export interface GuardrailsServeOptions {
  listen?: string;
  maxBody?: string;
  concurrency?: string;
  maxQueued?: string;
  injectionModel?: string;
  plugin?: string;
  quiet?: boolean;
}

/** In-process hooks: a stop signal, engines to use instead of the bundled ones, a started callback. */
export interface GuardrailsServeHooks {
  signal?: AbortSignal;
  engines?: GuardrailsEngines;
  onStarted?: (service: GuardrailsService) => void;
}

function integerFlag(flag: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(flag, `"${value}" must be a whole number ≥ ${min}`);
  return n;
}

/**
 * Structured logs: one JSON object per line on stderr, so log collectors can parse them. The service
 * never passes text content to its logger, so nothing here can leak what was analysed.
 */
function jsonLinesLogger(io: CliIO, quiet: boolean): Logger {
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  return {
    debug: () => undefined,
    info: quiet ? () => undefined : line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}

/**
 * Runs the Guardrails Service until `hooks.signal` aborts (from the command line: SIGINT/SIGTERM).
 * Prints where it listens and the GUARDRAILS_URL line for `declaw serve` / `declaw proxy`.
 *
 * @example
 * await runGuardrailsServe({ listen: '127.0.0.1:8700' }, processIO(), { signal });
 */
export async function runGuardrailsServe(
  opts: GuardrailsServeOptions,
  io: CliIO,
  hooks: GuardrailsServeHooks = {},
): Promise<void> {
  const listen = parseListen(opts.listen ?? DEFAULT_GUARDRAILS_LISTEN);
  const d = GUARDRAILS_SERVICE_DEFAULTS;
  const maxBodyBytes = integerFlag('--max-body', opts.maxBody, 1024, d.maxBodyBytes);
  const concurrency = integerFlag('--concurrency', opts.concurrency, 1, d.concurrency);
  const maxQueued = integerFlag('--max-queued', opts.maxQueued, 0, d.maxQueued);
  const engines = async (): Promise<GuardrailsEngines> => {
    const base = hooks.engines ?? loadDefaultEngines({ injectionModelFile: opts.injectionModel });
    return opts.plugin ? withPlugin(base, opts.plugin) : base;
  };
  const service = createGuardrailsService({
    engines,
    maxBodyBytes,
    concurrency,
    maxQueued,
    logger: jsonLinesLogger(io, Boolean(opts.quiet)),
  });
  await service.listen(listen.host, listen.port);
  try {
    // A broken model file or plugin is a start-up error, not a service that is never ready.
    await service.whenReady();
    io.stdout(`declaw guardrails: listening on ${service.url}\n`);
    io.stdout(`  use it from the daemon or proxy: GUARDRAILS_URL=${service.url} declaw serve\n`);
    hooks.onStarted?.(service);
    await new Promise<void>((done) => {
      if (hooks.signal?.aborted) return done();
      hooks.signal?.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    await service.close();
  }
}

/** `declaw guardrails serve`: the optional Guardrails Service (NER-grade PII, model-scored injection). */
export function registerGuardrailsCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  const d = GUARDRAILS_SERVICE_DEFAULTS;
  const guardrails = program
    .command('guardrails')
    .description('the optional Guardrails Service: NER for names and documents, the injection model');
  guardrails
    .command('serve')
    .description('serve /v1/analyze, /v1/injection, /healthz and /readyz over HTTP (no root needed)')
    .option('--listen <host:port>', `address to listen on (default ${DEFAULT_GUARDRAILS_LISTEN})`)
    .option('--max-body <bytes>', `largest request body; larger ones get 413 (default ${d.maxBodyBytes})`)
    .option('--concurrency <n>', `requests analysed at once (default ${d.concurrency})`)
    .option(
      '--max-queued <n>',
      `requests waiting before new ones get 503 + Retry-After (default ${d.maxQueued})`,
    )
    .option('--injection-model <file>', 'weights from `npm run train:injection` instead of the bundled model')
    .option('--plugin <module>', 'ESM module exporting `recognizers` and/or `injectionModel` to add')
    .option('--quiet', 'log only warnings and errors, not one line per request')
    .action(async (opts: GuardrailsServeOptions) => {
      try {
        await withInterrupt((signal) => runGuardrailsServe(opts, io, { signal }));
        setExit(0);
      } catch (err) {
        setExit(reportError(io, err, false));
      }
    });
}
