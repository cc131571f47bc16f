import { DeclawError, PolicyInvalidError } from '../errors.js';
import type { CliIO } from './io.js';

/**
 * Print an error the way every command does: a policy's issues one per line with their paths, other
 * declaw errors as `code: message`, and with `--json` the error's JSON form on stdout. Returns the exit
 * code: 1 for a refused input, 2 for anything unexpected.
 */
export function reportError(io: CliIO, err: unknown, json: boolean): number {
  if (err instanceof DeclawError) {
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: err.toJSON() }, null, 2)}\n`);
    else if (err instanceof PolicyInvalidError) {
      const [first] = err.message.split('\n');
      io.stderr(`error: ${first}\n`);
      for (const i of err.issues)
        io.stderr(`  ${i.path}: ${i.message}${i.hint ? `\n      fix: ${i.hint}` : ''}\n`);
    } else io.stderr(`error (${err.code}): ${err.message}\n`);
    return 1;
  }
  io.stderr(`declaw: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 2;
}
