import { Command, CommanderError } from 'commander';
import { processIO, type CliIO } from './io.js';
import { registerPolicyCommands } from './commands/policy-check.js';
import { registerScanCommand } from './commands/scan.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerRunCommand } from './commands/run.js';
import { registerProxyCommand } from './commands/proxy.js';
import { registerServeCommand } from './commands/serve.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerCaCommand } from './commands/ca.js';
import { registerGuardrailsCommand } from './commands/guardrails.js';

/**
 * Entry point of the `declaw` command. Returns the process exit code instead of exiting, so tests can
 * drive it in-process with their own {@link CliIO}.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('declaw')
    .description('declaw: a security layer for AI agents (policy checks, content scanning, proxy, sandboxes)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run declaw --help for usage)');
  registerPolicyCommands(program, io, setExit);
  registerScanCommand(program, io, setExit);
  registerDoctorCommand(program, io, setExit);
  registerRunCommand(program, io, setExit);
  registerProxyCommand(program, io, setExit);
  registerServeCommand(program, io, setExit);
  registerAuditCommand(program, io, setExit);
  registerDemoCommand(program, io, setExit);
  registerCaCommand(program, io, setExit);
  registerGuardrailsCommand(program, io, setExit);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 64;
    throw err;
  }
}
