import { Command } from 'commander';

/**
 * Entry point of the `declaw` command. Returns the process exit code instead of exiting, so tests can
 * drive it in-process.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('declaw')
    .description('declaw: a security layer for AI agents')
    .exitOverride()
    .showHelpAfterError();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 1;
  }
}
