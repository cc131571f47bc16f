/** Events of every kind, as the proxy and the sandbox runtime emit them, for the audit store tests. */
import type { StoredEvent } from '../../../src/audit/runtime-events.js';

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');

export function at(ms: number): string {
  return new Date(ms).toISOString();
}

/** One event of each type for `sandboxId`, times T0 + i seconds. */
export function everyKind(sandboxId = 'sb1', base = T0): StoredEvent[] {
  const t = (i: number) => at(base + i * 1000);
  const flow = { sandboxId, flowId: 'f1', host: 'api.openai.com', port: 443 };
  return [
    {
      type: 'vm_created',
      time: t(0),
      sandboxId,
      warm: true,
      address: '10.200.0.2',
      proxied: true,
      intercepted: true,
      endAt: t(300),
    },
    {
      type: 'dns_query',
      time: t(1),
      sandboxId,
      name: 'API.openai.com.',
      qtype: 'A',
      outcome: 'answered',
      decision: { action: 'allow', rule: '*.openai.com', reason: 'allow_rule' },
      rcode: 'NOERROR',
    },
    {
      type: 'egress_allowed',
      time: t(2),
      ...flow,
      reason: 'allow_rule',
      rule: '*.openai.com',
      address: '10.0.0.9',
      mode: 'intercept',
      frontDoor: 'transparent',
    },
    {
      type: 'pii',
      time: t(3),
      ...flow,
      method: 'POST',
      path: '/v1/chat/completions',
      action: 'redact',
      types: [
        { type: 'ssn', count: 1 },
        { type: 'email', count: 2 },
      ],
    },
    {
      type: 'transform_applied',
      time: t(4),
      ...flow,
      method: 'POST',
      path: '/v1/chat/completions',
      direction: 'outbound',
      rules: [{ rule: 0, count: 3 }],
    },
    {
      type: 'secret_injected',
      time: t(5),
      ...flow,
      method: 'POST',
      path: '/v1/chat/completions',
      keys: ['OPENAI_API_KEY'],
    },
    {
      type: 'injection_detected',
      time: t(6),
      ...flow,
      method: 'POST',
      path: '/v1/chat/completions',
      score: 0.93,
      threshold: 0.8,
      action: 'block',
      signals: ['override.ignore_previous'],
      streamed: false,
    },
    {
      type: 'egress_blocked',
      time: t(7),
      sandboxId,
      flowId: 'f2',
      host: 'evil.example',
      port: 443,
      reason: 'deny_rule',
      rule: '0.0.0.0/0',
      detail: 'evil.example is denied by deny_out 0.0.0.0/0',
      frontDoor: 'transparent',
    },
    {
      type: 'tls_error',
      time: t(8),
      sandboxId,
      flowId: 'f3',
      host: 'self-signed.example',
      port: 443,
      side: 'upstream',
      category: 'untrusted',
      message: 'certificate of self-signed.example is not trusted',
    },
    { type: 'vm_killed', time: t(9), sandboxId, reason: 'killed' },
  ];
}

/**
 * The proxy's per-exchange events for `sandboxId`: a completed request, an upstream that never sent
 * its response head (answered 504), and a body that went quiet mid-response (cut, not answered).
 * Times T0 + 20..22 seconds past `base`.
 */
export function exchangeEvents(sandboxId = 'sb1', base = T0): StoredEvent[] {
  const t = (i: number) => at(base + (20 + i) * 1000);
  const flow = { sandboxId, flowId: 'f9', host: 'api.openai.com', port: 443 };
  return [
    {
      type: 'request_completed',
      time: t(0),
      ...flow,
      method: 'POST',
      path: '/v1/chat/completions?api-key=sk-live-123',
      status: 200,
      requestBytes: 1234,
      responseBytes: 5678,
      durationMs: 42.5,
      mode: 'intercept',
      completed: true,
    },
    {
      type: 'upstream_timeout',
      time: t(1),
      ...flow,
      method: 'GET',
      path: '/v1/models',
      stage: 'response_head',
      timeoutMs: 600_000,
      answered: true,
    },
    {
      type: 'upstream_timeout',
      time: t(2),
      ...flow,
      method: 'GET',
      path: '/v1/files/big',
      stage: 'body_idle',
      timeoutMs: 300_000,
      answered: false,
    },
    {
      type: 'request_completed',
      time: t(3),
      ...flow,
      method: 'GET',
      path: '/v1/files/big',
      status: 200,
      requestBytes: 0,
      responseBytes: 65_536,
      durationMs: 300_010,
      mode: 'intercept',
      completed: false,
    },
  ];
}
