import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerCaCommand } from '../../../src/cli/commands/ca.js';
import { runProxyCommand, type ProxyCommandStarted } from '../../../src/cli/commands/proxy.js';
import type { CliIO } from '../../../src/cli/io.js';
import type { CaCertificateInfo } from '../../../src/cli/ca-certificate.js';
import { createTestPki } from '../../helpers/test-pki.js';
import { runCli } from '../../helpers/cli.js';

async function declawCa(args: string[], env: NodeJS.ProcessEnv = {}, now?: Date) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.alloc(0),
    isTTY: false,
  };
  const program = new Command('declaw').exitOverride().configureOutput({
    writeOut: (s) => io.stdout(s),
    writeErr: (s) => io.stderr(s),
  });
  registerCaCommand(program, io, (c) => (code = c), { env, ...(now ? { now: () => now } : {}) });
  try {
    await program.parseAsync(['node', 'declaw', 'ca', ...args]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = 64;
  }
  return { code, stdout, stderr };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'declaw-ca-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stand-in daemon answering GET /sandboxes/:id/ca as `handler` says; records the auth header. */
async function fakeDaemon(
  t: { after(fn: () => Promise<void>): void },
  handler: (url: string, res: http.ServerResponse) => void,
) {
  const seen: Array<{ url: string; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    handler(req.url ?? '', res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('declaw ca --proxy-dir prints the PEM declaw proxy wrote, with subject, fingerprint and validity', async (t) => {
  const dir = tempDir(t);
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, 'pii:\n  enabled: true\n  types: [ssn]\n');
  const stop = new AbortController();
  let started: ProxyCommandStarted | undefined;
  const sink = { stdout: () => {}, stderr: () => {}, readStdin: async () => Buffer.alloc(0), isTTY: false };
  const running = runProxyCommand(
    { policy: policyFile, listen: '127.0.0.1:0', caDir: join(dir, 'ca') },
    sink,
    {
      signal: stop.signal,
      onStarted: (s) => (started = s),
    },
  );
  try {
    while (!started) await new Promise((r) => setTimeout(r, 20));
    const r = await declawCa(['--proxy-dir', join(dir, 'ca')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    const cert = new X509Certificate(r.stdout);
    assert.ok(cert.ca);
    assert.ok(r.stderr.includes(cert.fingerprint256), r.stderr);
    assert.match(
      r.stderr,
      /CA certificate from .*ca\.pem\n {2}subject +.+\n {2}sha-256 +[0-9A-F:]{95}\n {2}valid +\S+ → \S+\n/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY/);
  } finally {
    stop.abort();
    await running;
  }
});

test('only certificates are printed: a key in the same file is left out', async (t) => {
  const dir = tempDir(t);
  const pki = await createTestPki({ commonName: 'key-beside-cert CA' });
  const server = await pki.issueServer(['x.example']);
  writeFileSync(join(dir, 'ca.pem'), `${server.keyPem}\n${pki.rootCaPem}`);
  const r = await declawCa(['--proxy-dir', dir, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const info = JSON.parse(r.stdout) as CaCertificateInfo;
  assert.match(info.subject, /CN=key-beside-cert CA/);
  assert.equal(info.is_ca, true);
  assert.equal(info.expired, false);
  assert.equal(info.fingerprint_sha256, new X509Certificate(pki.rootCaPem).fingerprint256);
  assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY/);
});

test('an expired certificate is shown as such and declaw ca exits 1', async (t) => {
  const dir = tempDir(t);
  const pki = await createTestPki();
  writeFileSync(join(dir, 'ca.pem'), pki.rootCaPem);
  const r = await declawCa(['--proxy-dir', dir], {}, new Date('2200-01-01T00:00:00Z'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /EXPIRED or not yet valid/);
});

test('a folder without ca.pem, or with no certificate in it, says what is missing and how to get it', async (t) => {
  const dir = tempDir(t);
  const none = await declawCa(['--proxy-dir', dir]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--proxy-dir: there is no ca\.pem in .*declaw proxy.*--ca-dir/);
  writeFileSync(join(dir, 'ca.pem'), 'not a certificate\n');
  const junk = await declawCa(['--proxy-dir', dir]);
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /holds no readable certificate/);
  assert.equal(junk.stdout, '');
});

test('exactly one of --proxy-dir and --sandbox is required; --api-url only goes with --sandbox', async (t) => {
  const neither = await declawCa([]);
  assert.equal(neither.code, 1);
  assert.match(neither.stderr, /give exactly one of --proxy-dir DIR .* and --sandbox ID/);
  const both = await declawCa(['--proxy-dir', tempDir(t), '--sandbox', 'abc']);
  assert.match(both.stderr, /give exactly one/);
  const stray = await declawCa(['--proxy-dir', tempDir(t), '--api-url', 'http://127.0.0.1:1']);
  assert.match(stray.stderr, /--api-url: only goes with --sandbox/);
});

test('declaw ca --sandbox reads the daemon endpoint with the API key and prints the PEM', async (t) => {
  const pki = await createTestPki({ commonName: 'declaw sandbox sbx1 CA' });
  const daemon = await fakeDaemon(t, (_url, res) => {
    res.writeHead(200, { 'content-type': 'application/x-pem-file' });
    res.end(pki.rootCaPem);
  });
  const r = await declawCa(['--sandbox', 'sbx1', '--api-url', daemon.url], { DECLAW_API_KEY: 'k-123' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(daemon.seen, [{ url: '/sandboxes/sbx1/ca', auth: 'Bearer k-123' }]);
  assert.equal(
    new X509Certificate(r.stdout).fingerprint256,
    new X509Certificate(pki.rootCaPem).fingerprint256,
  );
  assert.match(r.stderr, /subject +CN=declaw sandbox sbx1 CA/);
});

test('DECLAW_API_URL is used when --api-url is not given; a JSON answer with certificate_pem works too', async (t) => {
  const pki = await createTestPki();
  const daemon = await fakeDaemon(t, (_url, res) => json(res, 200, { certificate_pem: pki.rootCaPem }));
  const r = await declawCa(['--sandbox', 'sbx2', '--json'], { DECLAW_API_URL: daemon.url });
  assert.equal(r.code, 0, r.stdout);
  assert.equal((JSON.parse(r.stdout) as CaCertificateInfo).pem.trim(), pki.rootCaPem.trim());
});

test('a daemon without the CA endpoint: the message names the endpoint needed and the alternatives', async (t) => {
  const daemon = await fakeDaemon(t, (url, res) =>
    json(res, 404, { code: 'DECLAW_ROUTE_NOT_FOUND', message: `no endpoint GET ${url}` }),
  );
  const r = await declawCa(['--sandbox', 'sbx3', '--api-url', daemon.url]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /does not serve sandbox CA certificates \(GET \/sandboxes\/sbx3\/ca answered 404\)/);
  assert.match(r.stderr, /--proxy-dir/);
});

test('an unknown sandbox, a refused key and an unreachable daemon each say so', async (t) => {
  const daemon = await fakeDaemon(t, (url, res) =>
    url.includes('gone')
      ? json(res, 404, { code: 'DECLAW_SANDBOX_NOT_FOUND', message: 'x' })
      : json(res, 401, { code: 'DECLAW_UNAUTHORIZED', message: 'missing or wrong API key' }),
  );
  const gone = await declawCa(['--sandbox', 'gone', '--api-url', daemon.url]);
  assert.match(gone.stderr, /sandbox gone does not exist/);
  const denied = await declawCa(['--sandbox', 'x', '--api-url', daemon.url]);
  assert.match(denied.stderr, /DECLAW_API_KEY: the daemon refused the key/);
  const down = await declawCa(['--sandbox', 'x', '--api-url', 'http://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the daemon at http:\/\/127\.0\.0\.1:1 .*declaw serve/);
  const bad = await declawCa(['--sandbox', 'x', '--api-url', 'not a url']);
  assert.match(bad.stderr, /--api-url: "not a url" is not a URL/);
});

test('declaw ca is registered in the CLI', async () => {
  const r = await runCli(['ca', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--proxy-dir <dir>[\s\S]*--sandbox <id>[\s\S]*--api-url <url>/);
});
