import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FileUnreadableError, InvalidArgumentError, SandboxNotFoundError } from '../../errors.js';
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from '../../server/daemon.js';
import { certificatesIn, describeCertificate, type CaCertificateInfo } from '../ca-certificate.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** The daemon endpoint `declaw ca --sandbox` reads: the sandbox's CA certificate as PEM. */
export const SANDBOX_CA_PATH = (id: string) => `/sandboxes/${encodeURIComponent(id)}/ca`;

interface CaCliOptions {
  sandbox?: string;
  apiUrl?: string;
  proxyDir?: string;
  json?: boolean;
}

/** In-process hooks for tests: the environment (DECLAW_API_URL, DECLAW_API_KEY) and the clock. */
export interface CaCommandHooks {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

async function fromProxyDir(dir: string, now: Date): Promise<CaCertificateInfo[]> {
  const file = join(dir, 'ca.pem');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidArgumentError(
        '--proxy-dir',
        `there is no ca.pem in ${dir}: \`declaw proxy\` writes one there when started with --ca-dir ${dir} (it prints the folder it used when started without)`,
      );
    }
    throw new FileUnreadableError(file, err);
  }
  const certs = certificatesIn(text, file, now);
  if (certs.length === 0) {
    throw new InvalidArgumentError(
      '--proxy-dir',
      `${file} holds no readable certificate; restart \`declaw proxy\` to write it again`,
    );
  }
  return certs;
}

async function fromDaemon(id: string, apiUrl: string, apiKey: string | undefined, now: Date) {
  let base: URL;
  try {
    base = new URL(apiUrl);
  } catch {
    throw new InvalidArgumentError(
      '--api-url',
      `"${apiUrl}" is not a URL; e.g. http://127.0.0.1:${DEFAULT_API_PORT}`,
    );
  }
  const url = `${base.toString().replace(/\/+$/, '')}${SANDBOX_CA_PATH(id)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: {
        accept: 'application/x-pem-file, application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
    throw new InvalidArgumentError(
      '--api-url',
      `cannot reach the daemon at ${apiUrl} (${cause}); start it with \`declaw serve\` or pass its address with --api-url or DECLAW_API_URL`,
    );
  }
  const text = await res.text();
  let body: { code?: string; message?: string; certificate_pem?: string } = {};
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {};
    }
  }
  if (res.status === 404 && body.code === 'DECLAW_SANDBOX_NOT_FOUND')
    throw new SandboxNotFoundError('sandbox', id);
  if (res.status === 501 && body.code === 'DECLAW_NOT_SUPPORTED' && body.message) {
    // The daemon has the endpoint, and says why this sandbox has no CA (no interception).
    throw new InvalidArgumentError('--sandbox', body.message);
  }
  if (res.status === 404 || res.status === 405 || res.status === 501) {
    throw new InvalidArgumentError(
      '--sandbox',
      `the daemon at ${apiUrl} does not serve sandbox CA certificates (GET ${SANDBOX_CA_PATH(id)} answered ${res.status}); ` +
        'use `declaw ca --proxy-dir DIR` for `declaw proxy`, or read the CA from inside the sandbox (/etc/ssl/certs/ca-certificates.crt ends with it)',
    );
  }
  if (res.status === 401)
    throw new InvalidArgumentError(
      'DECLAW_API_KEY',
      `the daemon refused the key: ${body.message ?? 'unauthorized'}`,
    );
  if (!res.ok) {
    throw new InvalidArgumentError(
      '--sandbox',
      `the daemon answered ${res.status}: ${body.message ?? text.slice(0, 200)}`,
    );
  }
  const certs = certificatesIn(body.certificate_pem ?? text, url, now);
  if (certs.length === 0) {
    throw new InvalidArgumentError(
      '--sandbox',
      `the daemon's answer for ${id} holds no certificate (sandboxes without TLS interception have no CA)`,
    );
  }
  return certs;
}

/**
 * `declaw ca (--proxy-dir DIR | --sandbox ID [--api-url URL]) [--json]`: the CA certificate clients must
 * trust, for users of the explicit proxy and of the daemon. The PEM goes to stdout (so
 * `declaw ca ... > ca.pem` works) and its subject, SHA-256 fingerprint and validity to stderr; `--json`
 * prints all of it as one object. Only certificates are ever printed, never a key.
 *
 * @example
 * registerCaCommand(program, io, setExit); // then: declaw ca --proxy-dir /tmp/declaw-proxy-8080 > ca.pem
 */
export function registerCaCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
  hooks: CaCommandHooks = {},
): void {
  program
    .command('ca')
    .description('print the CA certificate of `declaw proxy` or of a daemon sandbox (never a key)')
    .option('--proxy-dir <dir>', 'the folder `declaw proxy` wrote its ca.pem to (its --ca-dir)')
    .option('--sandbox <id>', 'a sandbox of the daemon')
    .option(
      '--api-url <url>',
      `the daemon (default: DECLAW_API_URL or http://${DEFAULT_API_HOST}:${DEFAULT_API_PORT})`,
    )
    .option('--json', 'print subject, fingerprint, validity and PEM as one JSON object')
    .action(async (opts: CaCliOptions) => {
      const env = hooks.env ?? process.env;
      const now = hooks.now?.() ?? new Date();
      try {
        if ((opts.proxyDir === undefined) === (opts.sandbox === undefined)) {
          throw new InvalidArgumentError(
            opts.proxyDir === undefined ? '--proxy-dir' : '--sandbox',
            'give exactly one of --proxy-dir DIR (for `declaw proxy`) and --sandbox ID (for a daemon sandbox)',
          );
        }
        if (opts.apiUrl !== undefined && opts.sandbox === undefined) {
          throw new InvalidArgumentError('--api-url', 'only goes with --sandbox ID');
        }
        const certs =
          opts.proxyDir !== undefined
            ? await fromProxyDir(opts.proxyDir, now)
            : await fromDaemon(
                opts.sandbox as string,
                opts.apiUrl ?? env.DECLAW_API_URL ?? `http://${DEFAULT_API_HOST}:${DEFAULT_API_PORT}`,
                env.DECLAW_API_KEY,
                now,
              );
        if (opts.json) {
          io.stdout(`${JSON.stringify(certs.length === 1 ? certs[0] : { certificates: certs }, null, 2)}\n`);
        } else {
          for (const c of certs) {
            io.stderr(describeCertificate(c));
            io.stdout(c.pem);
          }
        }
        setExit(certs.some((c) => c.expired) ? 1 : 0);
      } catch (err) {
        setExit(reportError(io, err, opts.json === true));
      }
    });
}
