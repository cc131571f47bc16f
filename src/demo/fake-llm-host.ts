/**
 * Process entry of the fake LLM host, run by the demo inside its network namespace
 * (`ip netns exec <ns> node fake-llm-host.js`). Node cannot move one thread into another namespace, so
 * the host is its own small process. Protocol: one JSON line on stdin with the listen address and the
 * certificate; on stdout `{"ready":port}` once listening, then one `{"request":...}` line per request.
 * It exits when stdin closes, so it cannot outlive the demo even when the demo is killed.
 */
import { createInterface } from 'node:readline';
import { startFakeLlm, type FakeLlmOptions } from './fake-llm.js';

type Config = Omit<FakeLlmOptions, 'onRequest'>;

const send = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function serve(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  let server: Awaited<ReturnType<typeof startFakeLlm>> | undefined;
  lines.on('close', () => {
    void (server?.close() ?? Promise.resolve()).then(() => process.exit(0));
  });
  for await (const line of lines) {
    if (server || line.trim() === '') continue;
    const config = JSON.parse(line) as Config;
    server = await startFakeLlm({ ...config, onRequest: (request) => send({ request }) });
    send({ ready: server.address.port });
  }
}

serve().catch((err: unknown) => {
  send({ error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
