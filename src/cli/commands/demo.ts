import type { Command } from 'commander';
import { judgeClaims } from '../../demo/claims.js';
import { renderJson, renderText, wantColor } from '../../demo/report.js';
import { runDemo } from '../../demo/run-demo.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** Exit status after Ctrl-C, as shells report a SIGINT. */
export const EXIT_INTERRUPTED = 130;

interface DemoCliOptions {
  json?: boolean;
}

/**
 * `declaw demo [--json]`: the offline end-to-end demonstration. Builds a fake api.openai.com in a
 * network namespace, runs a python agent in a sandbox under a full-stack policy, shows what the
 * upstream received against what the agent got back, the denied domain, the blocked injection and
 * the audit log, and exits 0 only when every claim held. Progress goes to stderr, the report to stdout.
 *
 * @example
 * registerDemoCommand(program, io, setExit); // then: sudo npx declaw demo
 */
export function registerDemoCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description(
      'offline end-to-end demonstration: PII, a secret, a denied domain and an injection (needs root)',
    )
    .option('--json', 'print one machine-readable report of every claim and its evidence')
    .action(async (opts: DemoCliOptions) => {
      const json = opts.json === true;
      const color = !json && wantColor(io.isTTY);
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const evidence = await runDemo({
          signal: abort.signal,
          onProgress: (m) => io.stderr(`${color ? '\x1b[2m' : ''}… ${m}${color ? '\x1b[0m' : ''}\n`),
        });
        const claims = judgeClaims(evidence);
        io.stdout(json ? renderJson(evidence, claims) : renderText(evidence, claims, { color }));
        setExit(claims.every((c) => c.held) ? 0 : 1);
      } catch (err) {
        if (abort.signal.aborted) {
          // Interrupted (Ctrl-C): runDemo's finally already removed what it built.
          io.stderr(
            'declaw demo: interrupted; the namespace, sandbox and firewall rules it made are removed\n',
          );
          setExit(EXIT_INTERRUPTED);
        } else setExit(reportError(io, err, json));
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
}
