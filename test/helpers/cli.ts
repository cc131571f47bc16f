import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** Run the declaw CLI in-process with the given arguments and stdin; returns what it printed. */
export async function runCli(
  args: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: async () => Buffer.from(stdin),
    isTTY: false,
  };
  const code = await main(['node', 'declaw', ...args], io);
  return { code, stdout, stderr };
}
