/**
 * `declaw run` end to end, as root: a real sandbox whose command curls an allowed host of a loopback
 * test internet, a host the DNS refuses and a host the proxy refuses, with a `--secret` bound to one
 * host. The summary printed after the command names all of them, `--json` gives the same as one
 * object, and the secret's value reaches only its bound host and is never printed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerRunCommand } from '../../../src/cli/commands/run.js';
import type { CliIO } from '../../../src/cli/io.js';
import type { RunSummary } from '../../../src/cli/run-summary.js';
import type { UpstreamTrust } from '../../../src/proxy/tls/upstream-trust.js';
import { mapDnsUpstream } from '../../../src/sandbox/dns/dns-upstream.js';
import { requireRoot } from '../../helpers/root.js';
import {
  LOOPBACK_LAB,
  startTestInternet,
  testUpstreamTrust,
  type TestInternet,
} from '../../helpers/test-internet.js';

const isRoot = process.getuid?.() === 0;
const SECRET = 'sk-run-e2e-0123456789abcdefXYZ';
const ALLOWED = 'api.allowed.example';
const OTHER = 'other.allowed.example';
const DENIED_BY_PROXY = 'denied.example';
const DENIED_BY_DNS = 'nowhere.example';

let internet: TestInternet;
let upstreamTrust: UpstreamTrust;
let dir: string;
let policyFile: string;

before(async () => {
  if (!isRoot) return;
  internet = await startTestInternet({
    names: [ALLOWED, OTHER, DENIED_BY_PROXY],
    address: '127.78.32.1',
    ports: { https: 443, http: 80 },
  });
  upstreamTrust = await testUpstreamTrust(internet);
  dir = await mkdtemp(join(tmpdir(), 'declaw-run-e2e-'));
  policyFile = join(dir, 'policy.yaml');
  await writeFile(
    policyFile,
    `network:\n  allow_out: ["${ALLOWED}", "${OTHER}"]\n  deny_out: ["0.0.0.0/0"]\n` +
      `pii:\n  enabled: true\n  types: [email]\n`,
  );
});

after(async () => {
  if (!isRoot) return;
  await internet?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Drives `declaw run` in-process with the loopback internet injected. */
async function declawRun(args: string[], isTTY = false, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.alloc(0),
    isTTY,
  };
  const program = new Command('declaw').exitOverride().configureOutput({
    writeOut: (s) => io.stdout(s),
    writeErr: (s) => io.stderr(s),
  });
  registerRunCommand(program, io, (c) => (code = c), {
    env,
    testOnly: {
      upstreamTrust,
      resolver: internet.resolver,
      hostAddresses: [],
      labNetwork: LOOPBACK_LAB,
      // The sandbox's DNS answers public-looking addresses; its firewall sends 443 to the proxy anyway.
      dnsUpstream: mapDnsUpstream({
        [ALLOWED]: '198.51.100.21',
        [OTHER]: '198.51.100.22',
        [DENIED_BY_PROXY]: '198.51.100.23',
        [DENIED_BY_DNS]: '198.51.100.24',
      }),
    },
  });
  try {
    await program.parseAsync(['node', 'declaw', 'run', ...args]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = 64;
  }
  return { code, stdout, stderr };
}

const curl = (host: string, extra = '') =>
  `curl -sS -m 10 -o /dev/null -w '${host} %{http_code}\\n' ${extra} https://${host}/v1/echo || echo '${host} failed'`;

const SCRIPT = [
  curl(ALLOWED, `-H "Authorization: Bearer $TOKEN" -d 'mail me at jane@example.org'`),
  curl(OTHER, `-H "Authorization: Bearer $TOKEN"`),
  // By name the DNS refuses it; by address (with the name as SNI) the proxy does.
  curl(DENIED_BY_DNS),
  curl(DENIED_BY_PROXY, `--resolve ${DENIED_BY_PROXY}:443:198.51.100.23`),
  'exit 7',
].join('; ');

test('the summary after the command shows the allowed host, both refusals, the redaction and the secret', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const r = await declawRun([
    '--policy',
    policyFile,
    '--secret',
    `TOKEN=${SECRET}@${ALLOWED}`,
    '--',
    'sh',
    '-c',
    SCRIPT,
  ]);
  assert.equal(r.code, 7, `declaw exits with the command's code\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`${ALLOWED} 200`));
  assert.match(r.stdout, new RegExp(`${OTHER} 200`));
  assert.match(r.stderr, /declaw run: exit 7, sandbox \S+/);
  assert.match(r.stderr, new RegExp(`allowed +${ALLOWED} +1 `));
  assert.match(r.stderr, new RegExp(`blocked +${DENIED_BY_DNS} +dns all_traffic_denied`));
  assert.match(r.stderr, new RegExp(`blocked +${DENIED_BY_PROXY} +proxy \\S+`));
  assert.match(r.stderr, /PII +email +redact/);
  assert.match(r.stderr, new RegExp(`secret +TOKEN +injected → ${ALLOWED}`));
  assert.match(r.stderr, new RegExp(`secret +TOKEN +withheld → ${OTHER}`));
  assert.ok(!r.stderr.includes('\x1b['), 'no colour when not a terminal');
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the secret value is never printed');
});

test('--secret reaches only its bound host: the other allowed host gets the placeholder', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  internet.requests.length = 0;
  const r = await declawRun([
    '--policy',
    policyFile,
    '--secret',
    `TOKEN=${SECRET}@${ALLOWED}`,
    '--',
    'sh',
    '-c',
    `echo "sandbox sees $TOKEN"; ${SCRIPT}`,
  ]);
  const to = (host: string) => internet.requests.find((q) => q.host === host);
  assert.equal(to(ALLOWED)?.headers.authorization, `Bearer ${SECRET}`);
  const elsewhere = String(to(OTHER)?.headers.authorization);
  assert.match(elsewhere, /^Bearer declaw_secret_TOKEN_/);
  assert.match(r.stdout, /sandbox sees declaw_secret_TOKEN_/);
  assert.ok(!to(ALLOWED)?.body.includes('jane@example.org'), 'PII redacted on the way out');
  assert.equal(to(DENIED_BY_PROXY), undefined, 'nothing reached the denied host');
});

test('--json prints the summary as one JSON object on stderr; --summary FILE writes it there', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const file = join(dir, 'summary.json');
  const r = await declawRun([
    '--policy',
    policyFile,
    '--json',
    '--summary',
    file,
    '--secret',
    `TOKEN=${SECRET}@${ALLOWED}`,
    '--',
    'sh',
    '-c',
    SCRIPT,
  ]);
  assert.equal(r.code, 7);
  assert.doesNotMatch(r.stderr, /declaw run: exit/, 'no table with --json');
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes(SECRET));
  const s = JSON.parse(text) as RunSummary;
  assert.equal(s.exit_code, 7);
  assert.ok(s.allowed.some((a) => a.host === ALLOWED));
  assert.ok(s.blocked.some((b) => b.host === DENIED_BY_DNS && b.by === 'dns'));
  assert.ok(s.blocked.some((b) => b.host === DENIED_BY_PROXY && b.by === 'proxy'));
  assert.ok(s.secrets.some((x) => x.key === 'TOKEN' && x.outcome === 'injected' && x.host === ALLOWED));

  const onStderr = await declawRun(['--policy', policyFile, '--json', '--', 'sh', '-c', curl(ALLOWED)]);
  assert.equal(onStderr.code, 0);
  const last = onStderr.stderr.trimEnd().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(last) as RunSummary;
  assert.deepEqual(parsed.allowed, [{ host: ALLOWED, count: 1 }]);
});

test('on a terminal the table is coloured, and NO_COLOR turns colour off', async (t) => {
  if (!requireRoot(t, 'sandboxes need root')) return;
  const args = ['--policy', policyFile, '--', 'sh', '-c', curl(DENIED_BY_DNS)];
  const tty = await declawRun(args, true, {});
  assert.ok(tty.stderr.includes(`\x1b[31m${DENIED_BY_DNS}\x1b[0m`), tty.stderr);
  const noColor = await declawRun(args, true, { NO_COLOR: '1' });
  assert.ok(!noColor.stderr.includes('\x1b['), noColor.stderr);
  assert.match(noColor.stderr, new RegExp(`blocked +${DENIED_BY_DNS}`));
});
