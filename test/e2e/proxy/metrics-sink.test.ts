/**
 * The proxy's metrics hook: every event reaches it, whether or not the sandbox's policy audits, so
 * the daemon's request counters and latency histogram cover sandboxes with `audit.enabled: false`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectingAuditSink } from '../../../src/audit/sink.js';
import { SecurityPolicy } from '../../../src/policy/index.js';
import { DaemonMetrics } from '../../../src/server/metrics.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy } from '../../helpers/test-proxy.js';
import { proxiedFetch } from './client.js';

let internet: TestInternet;
before(async () => {
  internet = await startTestInternet({ names: ['files.example'] });
  internet.route('files.example', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
    res.end('hello');
  });
});
after(() => internet.close());

const unaudited = SecurityPolicy.fromJSON({ pii: { enabled: true }, audit: { enabled: false } });

test('a sandbox with audit disabled stores no events but still shows in the latency histogram', async () => {
  const seen = collectingAuditSink();
  const metrics = new DaemonMetrics(() => 0);
  const t = await startTestProxy(internet, unaudited, {
    proxy: {
      metricsSink: {
        record: (e) => {
          seen.record(e);
          metrics.observe(e);
        },
      },
    },
  });
  const f = proxiedFetch(t);
  try {
    for (let i = 0; i < 2; i++)
      assert.equal((await f(internet.url('files.example', '/small'))).text, 'hello');
  } finally {
    await f.close();
    await t.close();
  }
  assert.equal(t.audit.events.length, 0, 'the audit sink kept nothing of an unaudited sandbox');
  assert.equal(seen.ofType('request_completed').length, 2);
  const allowed = seen.ofType('egress_allowed').length;
  assert.ok(allowed >= 1, 'egress decisions reach the metrics sink too');
  const { text } = await metrics.render();
  assert.match(text, /declaw_proxy_request_duration_seconds_count\{mode="intercept"\} 2/);
  assert.match(text, /declaw_proxy_response_bytes_total\{mode="intercept"\} 10/);
  assert.match(
    text,
    new RegExp(`declaw_proxy_requests_total\\{decision="allowed",reason="open_egress"\\} ${allowed}\n`),
  );
});

test('an audited sandbox reaches both sinks with the same events', async () => {
  const seen = collectingAuditSink();
  const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }), {
    proxy: { metricsSink: seen },
  });
  const f = proxiedFetch(t);
  try {
    await f(internet.url('files.example', '/small'));
  } finally {
    await f.close();
    await t.close();
  }
  assert.deepEqual(
    seen.events.map((e) => e.type),
    t.audit.events.map((e) => e.type),
  );
  assert.equal(seen.ofType('request_completed').length, 1);
});

test('a metrics sink that throws neither breaks traffic nor keeps events from the audit sink', async () => {
  const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }), {
    proxy: {
      metricsSink: {
        record: () => {
          throw new Error('metrics down');
        },
      },
    },
  });
  const f = proxiedFetch(t);
  try {
    assert.equal((await f(internet.url('files.example', '/small'))).status, 200);
  } finally {
    await f.close();
    await t.close();
  }
  assert.equal(t.audit.ofType('request_completed').length, 1);
});
