/**
 * A test "internet" on loopback: one HTTPS server (certificates from a throwaway test CA for every
 * name it hosts) and one plain-HTTP server, both on 127.0.0.1 port 0, plus a resolver that points real
 * names (api.openai.com, ...) at them. Nothing ever leaves the machine: names not in the map do not
 * resolve at all.
 *
 * The default handler is an OpenAI-compatible fake that echoes what it received (chat.completions and
 * responses, streamed or not, with streamed text cut into 3-character deltas so tokens split across SSE
 * events), and any other path echoes the request as JSON. Every request is recorded as the server saw
 * it, so a test can assert what "upstream" got.
 *
 * @example
 * const internet = await startTestInternet({ names: ['api.openai.com'] });
 * const upstreamTrust = await testUpstreamTrust(internet);
 * const proxy = new ProxyServer({ resolver: internet.resolver, upstreamTrust, labNetwork: LOOPBACK_LAB });
 * // ... https://api.openai.com:${internet.httpsPort}/v1/chat/completions through the proxy ...
 * internet.requests.at(-1)?.body; // what the fake OpenAI received
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { mapResolver, type Resolver } from '../../src/proxy/egress/resolver.js';
import { UpstreamTrust } from '../../src/proxy/tls/upstream-trust.js';
import { createTestPki, type TestPki } from './test-pki.js';

/** A request as a test server received it. */
export interface SeenRequest {
  scheme: 'https' | 'http';
  host: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Answers one request; `body` is the whole request body. */
export type TestHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** Options of {@link startTestInternet}. */
export interface TestInternetOptions {
  /** Names the HTTPS server has certificates for and the resolver maps to 127.0.0.1. */
  names: readonly string[];
  /** More names that resolve (e.g. to 127.0.0.1 or a metadata address) but are not served. */
  extraDns?: Readonly<Record<string, string | readonly string[]>>;
  /** Per-host handlers; other hosts get {@link openAiFake}. */
  handlers?: Readonly<Record<string, TestHandler>>;
  /** Loopback address to listen on and map names to. Default 127.0.0.1. */
  address?: string;
  /** Fixed ports (e.g. 443 and 80, as root, for transparent tests). Default: any free port. */
  ports?: { https?: number; http?: number };
}

/** The running test internet. */
export interface TestInternet {
  pki: TestPki;
  rootCaPem: string;
  resolver: Resolver;
  httpsPort: number;
  httpPort: number;
  /** Every request received, oldest first. */
  requests: SeenRequest[];
  /** Replaces the handler of one host. */
  route(host: string, handler: TestHandler): void;
  url(host: string, path?: string): string;
  httpUrl(host: string, path?: string): string;
  close(): Promise<void>;
}

/** The lab network of a test internet on loopback: a proxy may reach 127.0.0.0/8 as if public. */
export const LOOPBACK_LAB = Object.freeze({ reachablePrivateRanges: Object.freeze(['127.0.0.0/8']) });

/**
 * Upstream trust for a test internet: its test CA only (no system store, no NODE_EXTRA_CA_CERTS).
 *
 * @example
 * const upstreamTrust = await testUpstreamTrust(internet);
 */
export function testUpstreamTrust(internet: Pick<TestInternet, 'rootCaPem'>): Promise<UpstreamTrust> {
  return UpstreamTrust.load({ includeSystemStore: false, extraCaPems: [internet.rootCaPem], env: {} });
}

/** Starts the servers. Close them with {@link TestInternet.close}. */
export async function startTestInternet(options: TestInternetOptions): Promise<TestInternet> {
  const pki = await createTestPki();
  const address = options.address ?? '127.0.0.1';
  const creds = await pki.issueServer([...options.names, address]);
  const handlers = new Map(Object.entries(options.handlers ?? {}));
  const requests: SeenRequest[] = [];
  const serve =
    (scheme: 'https' | 'http') =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const host = (req.headers.host ?? '').replace(/:\d+$/, '');
        requests.push({
          scheme,
          host,
          method: req.method ?? '',
          path: req.url ?? '',
          headers: { ...req.headers },
          body: body.toString('utf8'),
        });
        (handlers.get(host) ?? openAiFake)(req, res, body);
      });
    };
  const tlsServer = https.createServer({ key: creds.keyPem, cert: creds.certPem }, serve('https'));
  const plainServer = http.createServer(serve('http'));
  const listen = (s: http.Server, port = 0): Promise<number> =>
    new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, address, () => resolve((s.address() as AddressInfo).port));
    });
  // Upgrades (WebSocket) are answered with 101 and then every byte is echoed back, frames unparsed.
  for (const s of [tlsServer, plainServer]) {
    s.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      requests.push({
        scheme: s === tlsServer ? 'https' : 'http',
        host: (req.headers.host ?? '').replace(/:\d+$/, ''),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        body: '',
      });
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
  }
  const [httpsPort, httpPort] = await Promise.all([
    listen(tlsServer, options.ports?.https),
    listen(plainServer, options.ports?.http),
  ]);
  const dns: Record<string, string | readonly string[]> = { ...options.extraDns };
  for (const n of options.names) dns[n] = address;
  return {
    pki,
    rootCaPem: pki.rootCaPem,
    resolver: mapResolver(dns),
    httpsPort,
    httpPort,
    requests,
    route: (host, handler) => void handlers.set(host, handler),
    url: (host, path = '/') => `https://${host}:${httpsPort}${path}`,
    httpUrl: (host, path = '/') => `http://${host}:${httpPort}${path}`,
    async close() {
      for (const s of [tlsServer, plainServer]) s.closeAllConnections();
      await Promise.all(
        [tlsServer, plainServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

/** Cuts `text` into pieces of `size` characters: streamed deltas that split any token. */
export function pieces(text: string, size = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

function sse(res: ServerResponse, events: Array<{ event?: string; data: string }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`);
  res.end();
}

/** The text the fake "model" answers with: what the last user message said. */
function echoOf(body: Record<string, unknown>): string {
  const messages = body.messages as Array<{ content?: unknown }> | undefined;
  const last = messages?.[messages.length - 1]?.content ?? body.input;
  const text = typeof last === 'string' ? last : JSON.stringify(last ?? '');
  return `You said: ${text}`;
}

/** An OpenAI-compatible fake: chat.completions and responses echo the last user input. */
export const openAiFake: TestHandler = (req, res, raw) => {
  let body: Record<string, unknown> = {};
  try {
    body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    body = {};
  }
  const path = (req.url ?? '').split('?')[0];
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
  const created = 1_700_000_000;
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    const text = echoOf(body);
    if (body.stream === true) {
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        });
      return sse(res, [
        { data: chunk({ role: 'assistant', content: '' }, null) },
        ...pieces(text).map((p) => ({ data: chunk({ content: p }, null) })),
        { data: chunk({}, 'stop') },
        { data: '[DONE]' },
      ]);
    }
    return sendJson(res, 200, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  }
  if (req.method === 'POST' && path === '/v1/responses') {
    const text = echoOf(body);
    const message = {
      id: 'msg_test',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
    const response = (status: string, output: unknown[]) => ({
      id: 'resp_test',
      object: 'response',
      created_at: created,
      status,
      model,
      output,
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
    });
    if (body.stream === true) {
      let seq = 0;
      const ev = (type: string, extra: Record<string, unknown>) => ({
        event: type,
        data: JSON.stringify({ type, sequence_number: seq++, ...extra }),
      });
      const where = { item_id: 'msg_test', output_index: 0, content_index: 0 };
      return sse(res, [
        ev('response.created', { response: response('in_progress', []) }),
        ...pieces(text).map((d) => ev('response.output_text.delta', { ...where, delta: d })),
        ev('response.output_text.done', { ...where, text }),
        ev('response.completed', { response: response('completed', [message]) }),
      ]);
    }
    return sendJson(res, 200, response('completed', [message]));
  }
  sendJson(res, 200, {
    method: req.method,
    path: req.url,
    headers: req.headers,
    body: raw.toString('utf8'),
  });
};
