import type { Command } from 'commander';
import { runPreflight, type PreflightReport } from '../../sandbox/preflight.js';
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
 * `declaw doctor [--json]`: check that this host can run sandboxes (root, network namespaces,
 * iptables, ip6tables, util-linux, bubblewrap, cgroups) and say how to fix what is missing.
 */
export function registerDoctorCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('check that this host can run declaw sandboxes, and say how to fix what is missing')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      try {
        const report = await runPreflight();
        if (opts.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else io.stdout(formatPreflight(report));
        setExit(report.ok ? 0 : EXIT_PREFLIGHT_FAILED);
      } catch (err) {
        setExit(reportError(io, err, Boolean(opts.json)));
      }
    });
}
