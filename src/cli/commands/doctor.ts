import type { Command } from 'commander';
import { guardrailsClientFromEnv } from '../../guardrails/client/guardrails-client.js';
import { runPreflight, type PreflightCheck, type PreflightReport } from '../../sandbox/preflight.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** Exit status when a required check failed: sandboxes cannot be created on this host. */
export const EXIT_PREFLIGHT_FAILED = 1;

/** Render the report as the lines `declaw doctor` prints. */
export function formatPreflight(report: PreflightReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    const mark = c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn';
    lines.push(`${mark}  ${c.name}: ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`      fix: ${c.fix}`);
  }
  lines.push(
    report.ok
      ? 'this host can run declaw sandboxes'
      : 'this host cannot run declaw sandboxes until the FAIL lines are fixed',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * When GUARDRAILS_URL is set: whether the Guardrails Service answers its readiness check. Never
 * required (the proxy falls back to the built-in engines), so it never fails the report.
 *
 * @example
 * await guardrailsCheck({ GUARDRAILS_URL: 'http://127.0.0.1:8700' });
 * // { name: 'guardrails service', ok: true, required: false, detail: 'http://127.0.0.1:8700/ is ready (HTTP 200)' }
 */
export async function guardrailsCheck(env: NodeJS.ProcessEnv): Promise<PreflightCheck | undefined> {
  let client;
  try {
    client = guardrailsClientFromEnv(env);
  } catch (err) {
    return {
      name: 'guardrails service',
      ok: false,
      required: false,
      detail: err instanceof Error ? err.message : String(err),
      fix: 'set GUARDRAILS_URL to the service address, e.g. http://127.0.0.1:8700',
    };
  }
  if (client === undefined) return undefined;
  try {
    const r = await client.checkReady();
    return r.ready
      ? {
          name: 'guardrails service',
          ok: true,
          required: false,
          detail: `${client.url.href} is ready (${r.detail})`,
        }
      : {
          name: 'guardrails service',
          ok: false,
          required: false,
          detail: `${client.url.href} is not ready (${r.detail}); the proxy will use the built-in engines`,
          fix: 'start it with `declaw guardrails serve`, or unset GUARDRAILS_URL',
        };
  } finally {
    client.close();
  }
}

/**
 * `declaw doctor [--json]`: check that this host can run sandboxes (root, network namespaces,
 * iptables, ip6tables, util-linux, bubblewrap, cgroups) and say how to fix what is missing. With
 * GUARDRAILS_URL set it also says whether the Guardrails Service answers (a warning, never a failure).
 */
export function registerDoctorCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('check that this host can run declaw sandboxes, and say how to fix what is missing')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      try {
        const report = await runPreflight();
        const guardrails = await guardrailsCheck(process.env);
        if (guardrails) report.checks.push(guardrails);
        if (opts.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else io.stdout(formatPreflight(report));
        setExit(report.ok ? 0 : EXIT_PREFLIGHT_FAILED);
      } catch (err) {
        setExit(reportError(io, err, Boolean(opts.json)));
      }
    });
}
