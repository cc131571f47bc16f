import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { loadPolicyFile } from '../../policy/load.js';
import { needsBodyInspection, hasDomainRules } from '../../policy/derived.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** `declaw policy check FILE [--json]`: validate a policy file and print it normalised. */
export function registerPolicyCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const policy = program.command('policy').description('work with security policy files');
  policy
    .command('check')
    .description(
      'validate a policy file (YAML or JSON) and print it normalised, or its errors with their paths',
    )
    .argument('<file>', 'policy file, YAML or JSON')
    .option('--json', 'print the normalised policy (or the errors) as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      try {
        const p = await loadPolicyFile(file);
        const shown = p.toDisplayJSON();
        if (opts.json) {
          io.stdout(`${JSON.stringify({ ok: true, policy: shown }, null, 2)}\n`);
        } else {
          io.stdout(`# ${file}: valid. Normalised, with every default filled in:\n`);
          io.stdout(toYaml(shown, { lineWidth: 0 }));
          const interception = needsBodyInspection(p)
            ? 'yes (PII, injection, transformations, invisible text or secure env vars read bodies)'
            : 'no (bytes are spliced untouched)';
          io.stdout(`# TLS interception: ${interception}\n`);
          io.stdout(`# domain rules (TCP 80/443 through the proxy): ${hasDomainRules(p) ? 'yes' : 'no'}\n`);
        }
        setExit(0);
      } catch (err) {
        setExit(reportError(io, err, Boolean(opts.json)));
      }
    });
}
