/**
 * Small clients for the proxy e2e tests: Node's fetch through undici's ProxyAgent (what
 * `HTTPS_PROXY` users of Node get), trusting only the sandbox CA.
 */
import { ProxyAgent, fetch } from 'undici';
import type { TestProxy } from '../../helpers/test-proxy.js';

/** A fetch through the test proxy. */
export interface ProxiedFetch {
  (
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<{
    status: number;
    headers: Headers;
    text: string;
    json(): unknown;
  }>;
  close(): Promise<void>;
}

export function proxiedFetch(t: TestProxy): ProxiedFetch {
  const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
  const f = async (url: string, init: Parameters<ProxiedFetch>[1] = {}) => {
    const r = await fetch(url, { dispatcher: agent, ...init });
    const text = await r.text();
    return {
      status: r.status,
      headers: r.headers as unknown as Headers,
      text,
      json: () => JSON.parse(text) as unknown,
    };
  };
  return Object.assign(f, { close: () => agent.close() });
}

/** POST JSON and return the parsed answer. */
export function postJson(f: ProxiedFetch, url: string, value: unknown, headers: Record<string, string> = {}) {
  return f(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  });
}
