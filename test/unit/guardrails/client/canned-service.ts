/**
 * A stand-in Guardrails Service for client tests: a loopback node:http server whose behaviour the
 * test switches (canned protocol answers, slowness, garbage, errors), counting what it received.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type CannedReply = (path: string, body: unknown, res: http.ServerResponse) => void;

export interface CannedService {
  url: string;
  /** Requests received, with their parsed JSON bodies. */
  received: Array<{ path: string; body: unknown }>;
  /** Sockets the server accepted (keep-alive reuse keeps this low). */
  connections: () => number;
  reply: CannedReply;
  close(): Promise<void>;
}

/** Answers like the service: an empty entity list per text, or a 0.01 score per text. */
export const quietReply: CannedReply = (path, body, res) => {
  const texts = (body as { texts: string[] }).texts;
  const results =
    path === '/v1/analyze'
      ? texts.map(() => ({ entities: [] }))
      : texts.map(() => ({ score: 0.01, signals: [], model: 'canned' }));
  json(res, 200, { results });
};

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

export async function startCannedService(reply: CannedReply = quietReply): Promise<CannedService> {
  let connections = 0;
  const service: CannedService = {
    url: '',
    received: [],
    connections: () => connections,
    reply,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      service.received.push({ path: req.url ?? '', body });
      service.reply(req.url ?? '', body, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return service;
}
