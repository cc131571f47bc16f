import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { loadPolicyFile } from '../../policy/load.js';
import { wantColor } from '../../demo/report.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';
import { runInSandbox, RUN_STATE_ROOT, type RunTestOnly } from '../run-in-sandbox.js';
import { parseSecretFlag, withSecrets } from '../run-secret.js';
import { renderSummaryJson, renderSummaryText } from '../run-summary-render.js';

export { EXIT_TIMEOUT, RUN_STATE_ROOT } from '../run-in-sandbox.js';

interface RunCliOptions {
  policy: string;
  timeout?: string;
  env: string[];
  secret: string[];
  json?: boolean;
  summary?: string;
  cwd?: string;
  stdin?: boolean;
  ipv4Pool?: string;
  stateRoot?: string;
}

/** In-process hooks for tests: a loopback internet, the environment that decides colours. */
export interface RunCommandHooks {
  testOnly?: RunTestOnly;
  env?: NodeJS.ProcessEnv;
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

const repeatable = (v: string, acc: string[]) => [...acc, v];

/**
 * `declaw run --policy FILE [--timeout S] [--env K=V] [--secret K=V@host[,host2]] [--json]
 * [--summary FILE] [--cwd DIR] [--stdin] -- cmd args...`: run one command in a fresh sandbox under
 * the policy, stream its output, print a summary of what was allowed, blocked and redacted on stderr
 * (or as JSON), exit with the command's exit code, and remove the sandbox with every trace of it.
 *
 * @example
 * registerRunCommand(program, io, setExit); // then: sudo declaw run --policy p.yaml -- curl https://pypi.org
 */
export function registerRunCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
  hooks: RunCommandHooks = {},
): void {
  program
    .command('run')
    .description('run one command in a fresh sandbox with a policy; exits with its exit code')
    .requiredOption('--policy <file>', 'policy file, YAML or JSON')
    .option('--timeout <seconds>', 'kill the command (and everything it started) after this many seconds')
    .option('--env <NAME=value>', 'environment variable for the command (repeatable)', repeatable, [])
    .option(
      '--secret <NAME=value@host[,host2]>',
      'secure env var: the command sees a placeholder, the proxy sends the value only to these hosts (repeatable)',
      repeatable,
      [],
    )
    .option('--json', 'print the summary as one JSON object (on stderr, or into --summary FILE)')
    .option('--summary <file>', 'write the JSON summary to this file instead of stderr')
    .option('--cwd <dir>', 'working directory inside the sandbox', '/home/user')
    .option('--stdin', 'pass standard input to the command')
    .option('--ipv4-pool <cidr>', 'address range for the sandbox (default: a free /28 in 10.214.0.0/16)')
    .option('--state-root <dir>', 'where sandbox files live', RUN_STATE_ROOT)
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (argv: string[], opts: RunCliOptions) => {
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      try {
        const timeoutS = opts.timeout === undefined ? 0 : Number(opts.timeout);
        if (!Number.isFinite(timeoutS) || timeoutS < 0) {
          throw new InvalidArgumentError('--timeout', `must be a number of seconds, not "${opts.timeout}"`);
        }
        const envs = parseEnv(opts.env);
        const secrets = opts.secret.map(parseSecretFlag);
        for (const s of secrets) {
          if (s.key in envs) {
            throw new InvalidArgumentError(
              '--secret',
              `${s.key} is also given with --env; give a variable once (--secret keeps its value out of the sandbox)`,
            );
          }
        }
        const policy = withSecrets(await loadPolicyFile(opts.policy), secrets);
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const outcome = await runInSandbox({
          policy,
          argv,
          envs,
          cwd: opts.cwd,
          timeoutS,
          ...(opts.stdin ? { stdin: await io.readStdin() } : {}),
          stdout: (d) => io.stdout(d),
          stderr: (d) => io.stderr(d),
          ...(opts.ipv4Pool ? { ipv4Pool: opts.ipv4Pool } : {}),
          ...(opts.stateRoot ? { stateRoot: opts.stateRoot } : {}),
          signal: abort.signal,
          ...(hooks.testOnly ? { testOnly: hooks.testOnly } : {}),
        });
        if (outcome.timedOut) {
          io.stderr(`declaw run: the command ran longer than ${timeoutS} s and was killed\n`);
        }
        const json = renderSummaryJson(outcome.summary);
        if (opts.summary !== undefined) await writeFile(opts.summary, json, { mode: 0o644 });
        else if (opts.json) io.stderr(json);
        if (!opts.json) {
          const color = wantColor(io.isTTY, hooks.env ?? process.env);
          io.stderr(renderSummaryText(outcome.summary, { color }));
        }
        setExit(outcome.exitCode);
      } catch (err) {
        setExit(reportError(io, err, false));
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
}
