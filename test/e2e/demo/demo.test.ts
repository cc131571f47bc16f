/**
 * `declaw demo --json`, in-process as root: every claim must hold with its evidence, the secret must
 * never be printed, and the run must leave no namespace, link, firewall chain or state behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { DEMO_STATE_ROOT } from '../../../src/demo/run-demo.js';
import { runCli } from '../../helpers/cli.js';
import { requireRoot } from '../../helpers/root.js';

/** The demo's objects: tag `d` + three hex digits (sandbox and world alike). */
function demoLeftovers(): string[] {
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
  const netns = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => /^declaw-d[0-9a-f]{3}-/.test(n));
  const links = (JSON.parse(sh('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>)
    .map((l) => l.ifname)
    .filter((n) => /^d[0-9a-f]{3}[hs][a-z0-9]{10}$/.test(n));
  const chains = [sh('iptables-save', []), sh('ip6tables-save', [])]
    .join('\n')
    .split('\n')
    .filter((l) => /DECLAW-d[0-9a-f]{3}-/.test(l));
  let state: string[] = [];
  try {
    state = readdirSync(DEMO_STATE_ROOT);
  } catch {
    state = [];
  }
  return [...netns, ...links, ...chains, ...state.map((s) => `${DEMO_STATE_ROOT}/${s}`)];
}

interface Report {
  ok: boolean;
  claims: Array<{ id: string; held: boolean; failure?: string; evidence: Record<string, unknown> }>;
  secret_fingerprint: string;
  upstream: Array<{ path: string; body: string; authorization: string }>;
  audit: Array<{ type: string; host?: string }>;
}

test('declaw demo --json: every claim holds, with evidence, and nothing is left behind', async (t) => {
  if (!requireRoot(t, 'the demo builds network namespaces and a sandbox')) return;
  const before = demoLeftovers();
  const r = await runCli(['demo', '--json']);
  const report = JSON.parse(r.stdout) as Report;
  for (const c of report.claims) assert.ok(c.held, `${c.id}: ${c.failure ?? ''}`);
  assert.equal(report.ok, true);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    report.claims.map((c) => c.id),
    [
      'upstream_saw_no_raw_pii',
      'agent_got_originals',
      'secret_only_upstream',
      'transformation_applied',
      'denied_domain_blocked',
      'injection_blocked',
      'audit_recorded',
    ],
  );
  const byId = new Map(report.claims.map((c) => [c.id, c.evidence]));
  assert.match(String(byId.get('upstream_saw_no_raw_pii')?.upstream_body), /\[SSN_[0-9a-f]{6}\]/);
  assert.match(
    String(byId.get('agent_got_originals')?.agent_got),
    /SSN 123-45-6789, email john@example\.com/,
  );
  assert.ok(Number(byId.get('injection_blocked')?.score) >= 0.8);
  // The real key went upstream, but the report shows only its fingerprint.
  assert.doesNotMatch(r.stdout + r.stderr, /sk-demo-[A-Za-z0-9_-]{20,}/);
  assert.ok(report.upstream.every((u) => u.authorization === `Bearer ${report.secret_fingerprint}`));
  assert.match(r.stderr, /creating the offline world/, 'progress is shown on stderr');
  assert.deepEqual(demoLeftovers(), before, 'the demo removed its namespaces, links, chains and state');
});

test('declaw demo without --json prints the account without colour when not a terminal', async (t) => {
  if (!requireRoot(t, 'the demo builds network namespaces and a sandbox')) return;
  const r = await runCli(['demo']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(!r.stdout.includes('\u001b['), 'no escape sequences');
  assert.match(r.stdout, /upstream got +Summarize .*\[SSN_[0-9a-f]{6}\]/);
  assert.match(r.stdout, /agent got back +Summary .*123-45-6789/);
  assert.match(r.stdout, /403 blocked score/);
  assert.match(r.stdout, /Every claim held\./);
});
