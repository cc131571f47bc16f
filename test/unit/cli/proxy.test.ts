import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CliIO } from '../../../src/cli/io.js';
import { runProxyCommand, type ProxyCommandStarted } from '../../../src/cli/commands/proxy.js';
import { LOOPBACK_LAB, startTestInternet } from '../../helpers/test-internet.js';
import { runCli } from '../../helpers/cli.js';

const run = promisify(execFile);

function captureIO() {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.alloc(0),
    isTTY: false,
  };
  return { io, out: () => stdout, err: () => stderr };
}

test('declaw proxy prints its CA and the environment lines, and curl works with exactly those', async () => {
  const internet = await startTestInternet({ names: ['api.openai.com'] });
  const dir = mkdtempSync(join(tmpdir(), 'declaw-cli-proxy-'));
  const policyFile = join(dir, 'policy.yaml');
  const testCa = join(dir, 'test-root.pem');
  writeFileSync(testCa, internet.rootCaPem);
  writeFileSync(
    policyFile,
    'pii:\n  enabled: true\n  types: [ssn]\n  rehydrate_response: true\nnetwork:\n  allow_out: ["*.openai.com"]\n  deny_out: ["0.0.0.0/0"]\n',
  );
  const stop = new AbortController();
  const { io, out, err } = captureIO();
  let started: ProxyCommandStarted | undefined;
  const running = runProxyCommand(
    { policy: policyFile, listen: '127.0.0.1:0', caDir: join(dir, 'ca'), extraCa: [testCa] },
    io,
    {
      signal: stop.signal,
      onStarted: (s) => (started = s),
      proxyOptions: {
        resolver: internet.resolver,
        hostAddresses: [],
        labNetwork: LOOPBACK_LAB,
      },
    },
  ).catch((e: unknown) => {
    throw e;
  });
  try {
    while (!started) await new Promise((r) => setTimeout(r, 20));
    const text = out();
    assert.match(
      text,
      /declaw proxy listening on http:\/\/127\.0\.0\.1:\d+ \(sandbox "local", TLS interception: on\)/,
    );
    const https = /export HTTPS_PROXY=(\S+)/.exec(text)![1]!;
    const certFile = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(text)![1]!;
    const bundle = /SSL_CERT_FILE=(\S+)/.exec(text)![1]!;
    assert.match(readFileSync(certFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.doesNotMatch(readFileSync(certFile, 'utf8') + readFileSync(bundle, 'utf8'), /PRIVATE KEY/);
    const { stdout } = await run(
      'curl',
      [
        '-sS',
        '-H',
        'content-type: application/json',
        '--data',
        JSON.stringify({ messages: [{ role: 'user', content: 'SSN 123-45-6789' }] }),
        internet.url('api.openai.com', '/v1/chat/completions'),
      ],
      { env: { PATH: process.env.PATH, HTTPS_PROXY: https, SSL_CERT_FILE: bundle, NO_PROXY: '' } },
    );
    assert.match(stdout, /You said: SSN 123-45-6789/);
    assert.doesNotMatch(internet.requests.at(-1)!.body, /123-45-6789/);
    assert.match(err(), /allow +POST api\.openai\.com\/v1\/chat\/completions|allow +api\.openai\.com/);
    assert.match(err(), /pii +POST api\.openai\.com\/v1\/chat\/completions redact: ssn×1/);
  } finally {
    stop.abort();
    await running;
    await internet.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('declaw proxy refuses a bad --listen with the form it expects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'declaw-cli-proxy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, '{}');
  try {
    const r = await runCli(['proxy', '--policy', policyFile, '--listen', 'nonsense']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--listen: expected HOST:PORT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('declaw proxy says so when the address is taken', async () => {
  const net = await import('node:net');
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'declaw-cli-proxy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, '{}');
  try {
    const r = await runCli([
      'proxy',
      '--policy',
      policyFile,
      '--listen',
      `127.0.0.1:${port}`,
      '--ca-dir',
      dir,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--listen: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
