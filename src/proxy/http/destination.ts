/**
 * Where one HTTP request on a flow goes. On an intercepted TLS connection the destination was fixed
 * by the SNI and vetted before the handshake; the request's Host must name the same host (otherwise
 * it is domain fronting: 421). On a plain-HTTP connection each request's Host (or absolute-form
 * target) is decided by the egress stage, once per host and connection.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../../errors.js';
import type { AuditRecorder } from '../audit-recorder.js';
import type { FlowContext } from '../flow/flow-context.js';
import type { UpstreamTarget } from './upstream-pool.js';
import { type ProxyRefusal } from './error-response.js';
import { splitHostPort } from './headers.js';

/** The outcome for one request. */
export type Destination =
  | { ok: true; upstream: UpstreamTarget; /** Origin-form target to send. */ path: string }
  | { ok: false; refusal: ProxyRefusal };

/** Normal form of a host for comparing SNI and Host: lower case, no trailing dot, IPv6 unbracketed. */
function sameHost(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

/**
 * Decides where `req` goes, recording egress events for hosts decided here.
 *
 * @example
 * const dest = await resolveDestination(req, flow, recorder);
 * if (!dest.ok) return sendRefusal(res, dest.refusal);
 */
export async function resolveDestination(
  req: IncomingMessage,
  flow: FlowContext,
  recorder: AuditRecorder,
): Promise<Destination> {
  const method = req.method ?? 'GET';
  const rawTarget = req.url ?? '/';
  let path = rawTarget;
  let named: { host: string; port?: number } | undefined;
  const absolute = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rawTarget);
  if (absolute) {
    let url: URL;
    try {
      url = new URL(rawTarget);
    } catch {
      return {
        ok: false,
        refusal: badRequest(`the request target "${rawTarget.slice(0, 100)}" is not a URL`),
      };
    }
    const scheme = absolute[1]!.toLowerCase();
    if (scheme !== 'http' && !(scheme === 'https' && flow.mode === 'intercept')) {
      return {
        ok: false,
        refusal: badRequest(
          `absolute-form ${scheme}:// requests are not proxied; use CONNECT (HTTPS_PROXY) for https`,
        ),
      };
    }
    named = { host: url.hostname.replace(/^\[|\]$/g, ''), ...(url.port ? { port: Number(url.port) } : {}) };
    path = `${url.pathname}${url.search}`;
  } else {
    const hostHeader = req.headers.host;
    named = hostHeader === undefined ? undefined : splitHostPort(hostHeader);
  }
  const request = { method, target: rawTarget };

  if (flow.mode === 'intercept') {
    const sni = flow.host as string;
    if (named === undefined || !sameHost(named.host, sni)) {
      const detail = `the request names ${named?.host ?? 'no host'} but the TLS connection was opened for ${sni}`;
      recorder.record(
        flow,
        { type: 'egress_blocked', reason: 'domain_fronting', detail, frontDoor: flow.frontDoor },
        request,
      );
      return {
        ok: false,
        refusal: {
          status: 421,
          stage: 'egress',
          code: ErrorCode.DOMAIN_FRONTING,
          message: `${detail} (domain fronting); send each host's requests on a connection opened for that host`,
        },
      };
    }
    return {
      ok: true,
      upstream: { name: sni, address: flow.address as string, port: flow.port, tls: true },
      path,
    };
  }

  if (named === undefined) {
    return { ok: false, refusal: badRequest('the request has no Host header; HTTP/1.1 requires one') };
  }
  const port = named.port ?? 80;
  if (flow.host !== undefined && (!sameHost(named.host, flow.host) || port !== flow.port)) {
    const detail = `the request names ${named.host}:${port} but the connection is bound to ${flow.host}:${flow.port}`;
    recorder.record(
      flow,
      { type: 'egress_blocked', reason: 'domain_fronting', detail, frontDoor: flow.frontDoor },
      request,
    );
    return {
      ok: false,
      refusal: { status: 421, stage: 'egress', code: ErrorCode.DOMAIN_FRONTING, message: detail },
    };
  }
  const key = `${named.host}:${port}`;
  let address = flow.allowed?.get(key);
  if (address === undefined) {
    const decision = await flow.session.egress.decide(named.host);
    const where = { ...request, host: named.host, port };
    if (!decision.allowed) {
      recorder.record(
        flow,
        {
          type: 'egress_blocked',
          reason: decision.reason,
          ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
          detail: decision.detail,
          frontDoor: flow.frontDoor,
        },
        where,
      );
      return { ok: false, refusal: egressRefusal(named.host, decision.detail, decision.rule) };
    }
    address = decision.addresses[0]!.address;
    (flow.allowed ??= new Map()).set(key, address);
    recorder.record(
      flow,
      {
        type: 'egress_allowed',
        reason: decision.reason,
        ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
        address,
        mode: 'http',
        frontDoor: flow.frontDoor,
        ...(flow.originalDst !== undefined ? { originalDst: flow.originalDst } : {}),
      },
      where,
    );
  }
  return { ok: true, upstream: { name: named.host, address, port, tls: false }, path };
}

/**
 * The 403 for a destination the network policy refuses.
 *
 * @example
 * writeRawRefusal(socket, egressRefusal('evil.example', decision.detail, decision.rule));
 */
export function egressRefusal(host: string, detail: string, rule?: string): ProxyRefusal {
  return {
    status: 403,
    stage: 'egress',
    code: ErrorCode.EGRESS_BLOCKED,
    message: `connection to ${host} refused by the network policy: ${detail}; add it to network.allow_out if the sandbox needs it`,
    ...(rule !== undefined ? { details: { rule } } : {}),
  };
}

function badRequest(message: string): ProxyRefusal {
  return { status: 400, stage: 'proxy', code: ErrorCode.BAD_REQUEST, message };
}
