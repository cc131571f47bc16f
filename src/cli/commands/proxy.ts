import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Command } from 'commander';
import type { AuditEvent } from '../../audit/events.js';
import type { AuditSink } from '../../audit/sink.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { loadPolicyFile } from '../../policy/load.js';
import { ProxyServer, type ProxyServerOptions } from '../../proxy/proxy-server.js';
import { splitHostPort } from '../../proxy/http/headers.js';
import { UpstreamTrust } from '../../proxy/tls/upstream-trust.js';
import { guardrailsClientFromEnv } from '../../guardrails/client/guardrails-client.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';
import { withInterrupt } from '../interrupt.js';
import { GUARDRAILS_URL_OPTION } from '../guardrails-option.js';

/** Flags of `declaw proxy`. */
export interface ProxyCommandOptions {
  policy: string;
  listen?: string;
  caDir?: string;
  extraCa?: string[];
  scanLimit?: string;
  sandboxId?: string;
  quiet?: boolean;
  /**
   * Base URL of the Guardrails Service (NER for names, the injection model). Default: the
   * GUARDRAILS_URL environment variable; unset means the built-in engines alone.
   */
  guardrailsUrl?: string;
}

/** What {@link runProxyCommand} reports once it listens (for tests and embedding). */
export interface ProxyCommandStarted {
  url: string;
  caCertFile: string;
  caBundleFile: string;
  proxy: ProxyServer;
}

/** In-process hooks: a stop signal, and (tests only) proxy options such as a resolver. */
export interface ProxyCommandHooks {
  signal?: AbortSignal;
  /** Environment read for GUARDRAILS_URL and GUARDRAILS_TIMEOUT_MS; default the process's. */
  env?: NodeJS.ProcessEnv;
  onStarted?: (started: ProxyCommandStarted) => void;
  proxyOptions?: Partial<ProxyServerOptions>;
}

/** One line per audit event: what was decided, where, and why; never payloads. */
function describeEvent(e: AuditEvent): string {
  const where = `${e.method ? `${e.method} ` : ''}${e.host ?? ''}${e.path ?? ''}`;
  switch (e.type) {
    case 'egress_allowed':
      return `allow  ${where} (${e.mode}${e.rule ? `, rule ${e.rule}` : ''})`;
    case 'egress_blocked':
      return `BLOCK  ${where} (${e.reason}${e.rule ? ` ${e.rule}` : ''}): ${e.detail}`;
    case 'pii':
      return `pii    ${where} ${e.action}: ${e.types.map((t) => `${t.type}×${t.count}`).join(' ')}`;
    case 'injection_detected':
      return `inject ${where} ${e.action} score ${e.score.toFixed(2)} [${e.signals.join(', ')}]`;
    case 'invisible_text':
      return `invis  ${where} ${e.action} ${e.count} characters`;
    case 'transform_applied':
      return `rules  ${where} ${e.direction}: ${e.rules.map((r) => `#${r.rule}×${r.count}`).join(' ')}`;
    case 'tls_error':
      return `TLS    ${where} (${e.side}, ${e.category}): ${e.message}`;
    case 'secret_injected':
      return `secret ${where} injected ${e.keys.join(', ')}`;
    case 'secret_withheld':
      return `SECRET ${where} placeholder of ${e.keys.join(', ')} sent to an unbound host; not replaced`;
    case 'secret_masked':
      return `secret ${where} masked ${e.keys.join(', ')} in the response`;
    case 'content_not_scanned':
      return `${e.refused ? 'REFUSE' : 'noscan'} ${where} ${e.direction}: ${e.reason}`;
    case 'upstream_timeout':
      return `TIMEOUT ${where} ${e.stage} after ${e.timeoutMs} ms${e.answered ? ' (504)' : ' (cut)'}`;
    case 'request_completed':
      return `req    ${where} ${e.status} ${e.requestBytes}→${e.responseBytes} B ${e.durationMs.toFixed(1)} ms`;
    case 'guardrails_fallback':
      return `guard  ${where} ${e.operation} fell back to the built-in engine (${e.reason})`;
    case 'guardrails_recovered':
      return `guard  ${where} ${e.operation}: Guardrails Service answers again`;
  }
}

function stderrLogger(io: CliIO, quiet: boolean): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) =>
    io.stderr(
      `${level} ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`,
    );
  return {
    debug: () => {},
    info: () => {},
    warn: (m, f) => (quiet ? undefined : line('warn', m, f)),
    error: (m, f) => line('error', m, f),
  };
}

/**
 * Runs the explicit proxy for one policy until `hooks.signal` aborts (or, from the command line,
 * SIGINT/SIGTERM). Writes the session's CA certificate (never its key) and a bundle of it plus the
 * public roots, prints where they are and the environment lines to use the proxy, then one line per
 * decision on stderr.
 *
 * @example
 * await runProxyCommand({ policy: 'policy.yaml', listen: '127.0.0.1:8080' }, processIO(), { signal });
 */
export async function runProxyCommand(
  opts: ProxyCommandOptions,
  io: CliIO,
  hooks: ProxyCommandHooks = {},
): Promise<void> {
  // Port 0 (any free port) is allowed here, unlike in a Host header.
  const listenText = opts.listen ?? '127.0.0.1:8080';
  const listen = splitHostPort(listenText.replace(/:0$/, ':65535'));
  if (listen && listenText.endsWith(':0')) listen.port = 0;
  if (!listen || listen.port === undefined) {
    throw new InvalidArgumentError(
      '--listen',
      `expected HOST:PORT such as 127.0.0.1:8080, got "${opts.listen}"`,
    );
  }
  const scanLimit = opts.scanLimit === undefined ? undefined : Number(opts.scanLimit);
  if (scanLimit !== undefined && !Number.isInteger(scanLimit)) {
    throw new InvalidArgumentError('--scan-limit', `expected a number of bytes, got "${opts.scanLimit}"`);
  }
  const policy = await loadPolicyFile(opts.policy);
  const upstreamTrust = await UpstreamTrust.load({ extraCaFiles: opts.extraCa ?? [] });
  const quiet = Boolean(opts.quiet);
  const printer: AuditSink = {
    record: (e) => {
      if (!quiet) io.stderr(`${e.time.slice(11, 23)} ${describeEvent(e)}\n`);
    },
  };
  const logger = stderrLogger(io, quiet);
  const guardrails = guardrailsClientFromEnv(hooks.env ?? process.env, {
    logger,
    ...(opts.guardrailsUrl !== undefined ? { url: opts.guardrailsUrl } : {}),
  });
  const proxy = new ProxyServer({
    upstreamTrust,
    auditSink: printer,
    logger,
    ...(guardrails ? { guardrails } : {}),
    ...(scanLimit !== undefined ? { scanLimitBytes: scanLimit } : {}),
    ...hooks.proxyOptions,
  });
  const sandboxId = opts.sandboxId ?? 'local';
  const session = await proxy.sessions.add({ id: sandboxId, policy });
  const address = await proxy
    .listenExplicit({ host: listen.host, port: listen.port, sessionId: sandboxId })
    .catch(async (err: NodeJS.ErrnoException) => {
      await proxy.close();
      guardrails?.close();
      if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
        throw new InvalidArgumentError(
          '--listen',
          `cannot listen on ${listenText} (${err.code}); pick a free port or an address of this host`,
        );
      }
      throw err;
    });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const dir = resolve(opts.caDir ?? join(tmpdir(), `declaw-proxy-${address.port}`));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const caCertFile = join(dir, 'ca.pem');
  const caBundleFile = join(dir, 'ca-bundle.pem');
  writeFileSync(caCertFile, session.ca.certificatePem, { mode: 0o644 });
  // Spliced connections present the real servers' certificates, so SSL_CERT_FILE (which replaces a
  // client's roots) must hold the public roots as well as the sandbox CA.
  writeFileSync(caBundleFile, [session.ca.certificatePem, ...rootCertificates].join('\n'), { mode: 0o644 });

  io.stdout(
    `declaw proxy listening on ${url} (sandbox "${sandboxId}", TLS interception: ${session.intercepts ? 'on' : 'off'})\n` +
      `CA certificate (no key): ${caCertFile}\n` +
      `Use it from a shell:\n` +
      `  export HTTPS_PROXY=${url} HTTP_PROXY=${url}\n` +
      `  export SSL_CERT_FILE=${caBundleFile} REQUESTS_CA_BUNDLE=${caBundleFile} NODE_EXTRA_CA_CERTS=${caCertFile}\n`,
  );
  if (guardrails) {
    io.stdout(
      `Guardrails Service: ${guardrails.url.href} (deadline ${guardrails.deadlineMs} ms; the built-in engines decide when it does not answer)\n`,
    );
  }
  const secrets = Object.entries(session.secrets.envForSandbox());
  if (secrets.length > 0) {
    io.stdout(
      `Secure env vars: use these placeholders; the proxy swaps in the values for their hosts only:\n`,
    );
    for (const [k, v] of secrets) io.stdout(`  export ${k}=${v}\n`);
  }
  hooks.onStarted?.({ url, caCertFile, caBundleFile, proxy });

  await new Promise<void>((done) => {
    if (hooks.signal?.aborted) return done();
    hooks.signal?.addEventListener('abort', () => done(), { once: true });
  });
  await proxy.close();
  guardrails?.close();
}

/** `declaw proxy --policy FILE [--listen 127.0.0.1:8080]`: the explicit proxy, for HTTPS_PROXY users. */
export function registerProxyCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('proxy')
    .description('run the security proxy for HTTPS_PROXY clients (no sandbox, no root needed)')
    .requiredOption('--policy <file>', 'policy file, YAML or JSON')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--ca-dir <dir>', 'where to write the CA certificate (default: a folder in the temp dir)')
    .option('--extra-ca <file...>', 'more CAs to trust for upstream servers (PEM)')
    .option('--scan-limit <bytes>', 'largest body scanned; larger ones are refused when scanning is required')
    .option('--sandbox-id <id>', 'name of the session in audit lines', 'local')
    .option('--quiet', 'do not print a line per decision')
    .option(...GUARDRAILS_URL_OPTION)
    .action(async (opts: ProxyCommandOptions) => {
      try {
        await withInterrupt((signal) => runProxyCommand(opts, io, { signal }));
        setExit(0);
      } catch (err) {
        setExit(reportError(io, err, false));
      }
    });
}
