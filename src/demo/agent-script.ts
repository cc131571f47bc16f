/**
 * The agent the demo runs in its sandbox: examples/demo/agent.py, python3 with the standard library
 * only, written the way an agent is written without declaw in mind. It reports each step as one JSON
 * line on stdout, which the demo parses. The constants below are what the demo checks the run
 * against; a test keeps them equal to the values written in the script.
 */
import { readFile } from 'node:fs/promises';
import { packageFilePath } from '../package-files.js';

/** The customer record of seed 001, with a card added. */
export const CUSTOMER_RECORD =
  'John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111';

/** The raw PII values the upstream must never see and the agent must get back. */
export const RAW_PII: Readonly<Record<string, string>> = Object.freeze({
  ssn: '123-45-6789',
  email: 'john@example.com',
  credit_card: '4111 1111 1111 1111',
});

/** The internal code name the policy's transformation rule rewrites on the way out. */
export const CODENAME = 'Project Falcon';

/** The denied domain the agent tries to reach. */
export const DENIED_DOMAIN = 'pastebin.com';

/** Where the agent writes its script inside the sandbox. */
export const AGENT_PATH = '/workspace/agent.py';

/**
 * The script the demo runs. Steps: `chat` (PII + secret to the LLM), `denied_name`, `denied_address`,
 * `injection`.
 *
 * @example
 * await sandbox.files.write(AGENT_PATH, await loadAgentScript());
 */
export function loadAgentScript(): Promise<string> {
  return readFile(packageFilePath('examples/demo/agent.py'), 'utf8');
}
