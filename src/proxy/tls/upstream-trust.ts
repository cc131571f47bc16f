/**
 * What the proxy trusts when it connects to real servers: the host's trust store (Node's bundled Mozilla
 * roots plus the system bundle, e.g. /etc/ssl/certs/ca-certificates.crt), `NODE_EXTRA_CA_CERTS`, and CAs
 * the operator adds (tests add their own root here). Built once into a `tls.SecureContext`: passing a
 * `ca` list to every `tls.connect` would re-parse hundreds of certificates per connection.
 *
 * The sandbox CAs are never in this list: upstream servers are verified as if no proxy existed.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  checkServerIdentity,
  createSecureContext,
  rootCertificates,
  type ConnectionOptions,
  type SecureContext,
} from 'node:tls';
import { x509 } from './x509.js';
import { FileUnreadableError, InvalidArgumentError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { INTERCEPT_ALPN } from './leaf-cache.js';
import { isIpLiteral, normaliseServerName } from './server-name.js';

/** Where Debian, Ubuntu and Alpine keep the system CA bundle; Fedora's path is included too. */
export const DEFAULT_SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
] as const;

/** Options of {@link UpstreamTrust.load}. */
export interface UpstreamTrustOptions {
  /** Extra CA certificates in PEM (each string may hold several). Invalid ones are refused. */
  extraCaPems?: readonly string[];
  /** Files of extra CA certificates in PEM. An unreadable or invalid file is refused. */
  extraCaFiles?: readonly string[];
  /** Trust Node's bundled roots and the system bundle. Default true; tests may set false to trust only their CA. */
  includeSystemStore?: boolean;
  /** System bundles to read when present. Default {@link DEFAULT_SYSTEM_BUNDLES}. */
  systemBundlePaths?: readonly string[];
  /** Environment consulted for `NODE_EXTRA_CA_CERTS`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
}

/** The destination of an upstream connection. */
export interface UpstreamTarget {
  /** The name the client asked for (SNI or Host): what the certificate must be valid for. */
  name: string;
  /** The address the proxy vetted and dials (no second DNS lookup). Default: `name`. */
  address?: string;
  port: number;
}

/**
 * The trust anchors for upstream verification.
 *
 * @example
 * const trust = await UpstreamTrust.load({ extraCaPems: [testPki.rootCaPem] });
 * const upstream = tls.connect(trust.connectOptions({ name: 'api.openai.com', address: '127.0.0.1', port }));
 * upstream.on('error', (e) => reply502(describeTlsFailure(e, 'api.openai.com').message));
 */
export class UpstreamTrust {
  /** Every trusted CA certificate, in PEM, without duplicates. */
  readonly caPems: readonly string[];
  /** One context holding all of them; reused by every connection. */
  readonly secureContext: SecureContext;

  private constructor(caPems: string[]) {
    this.caPems = caPems;
    this.secureContext = createSecureContext({ ca: caPems });
  }

  /** Reads the stores and files named in `options` and builds the context. */
  static async load(options: UpstreamTrustOptions = {}): Promise<UpstreamTrust> {
    const logger = options.logger ?? silentLogger;
    const env = options.env ?? process.env;
    const pems = new Map<string, string>();
    const add = (pem: string): void => {
      const key = pem.replace(/\s+/g, '');
      if (!pems.has(key)) pems.set(key, pem);
    };

    if (options.includeSystemStore ?? true) {
      for (const pem of rootCertificates) add(pem);
      for (const path of options.systemBundlePaths ?? DEFAULT_SYSTEM_BUNDLES) {
        const text = await readOptional(path);
        if (text !== undefined) for (const pem of splitCertificates(text, path, 'skip', logger)) add(pem);
      }
    }
    // Node applies NODE_EXTRA_CA_CERTS only to its default store, which an explicit context replaces, so it
    // is read here. Like Node, a broken file is reported and skipped rather than fatal.
    const nodeExtra = env.NODE_EXTRA_CA_CERTS;
    if (nodeExtra) {
      const text = await readOptional(nodeExtra);
      if (text === undefined)
        logger.warn('NODE_EXTRA_CA_CERTS cannot be read; ignoring it', { path: nodeExtra });
      else for (const pem of splitCertificates(text, nodeExtra, 'skip', logger)) add(pem);
    }
    for (const path of options.extraCaFiles ?? []) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new FileUnreadableError(path, e);
      }
      for (const pem of splitCertificates(text, path, 'throw', logger)) add(pem);
    }
    for (const [i, text] of (options.extraCaPems ?? []).entries()) {
      for (const pem of splitCertificates(text, `extraCaPems[${i}]`, 'throw', logger)) add(pem);
    }
    if (pems.size === 0) {
      throw new InvalidArgumentError(
        'upstream trust',
        'no CA certificate is trusted, so no upstream server could be verified; keep the system store or add a CA',
      );
    }
    return new UpstreamTrust([...pems.values()]);
  }

  /**
   * Options for `tls.connect` that verify the server for `target.name`: chain against these CAs, name
   * with Node's `checkServerIdentity` (against `target.name`, whatever address is dialled), ALPN http/1.1. SNI is sent for DNS names only (RFC 6066 forbids
   * IP literals there); an IP target is checked against the certificate's IP SANs.
   */
  connectOptions(target: UpstreamTarget): ConnectionOptions {
    const name = normaliseServerName(target.name);
    if (name === undefined) {
      throw new InvalidArgumentError('name', `"${target.name}" is not a DNS name or IP address`);
    }
    const options: ConnectionOptions = {
      host: target.address ?? name,
      port: target.port,
      secureContext: this.secureContext,
      rejectUnauthorized: true,
      // Node would check `servername || host`; the dialled address is not what the client asked for.
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
      ALPNProtocols: [...INTERCEPT_ALPN],
    };
    if (!isIpLiteral(name)) options.servername = name;
    return options;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Splits a PEM bundle into single certificates, checking each one parses. */
function splitCertificates(
  text: string,
  source: string,
  onInvalid: 'throw' | 'skip',
  logger: Logger,
): string[] {
  const out: string[] = [];
  const blocks = x509.PemConverter.decodeWithHeaders(text).filter((b) => b.type === 'CERTIFICATE');
  if (blocks.length === 0 && onInvalid === 'throw') {
    throw new InvalidArgumentError(
      source,
      'contains no "-----BEGIN CERTIFICATE-----" block; give a CA certificate in PEM',
    );
  }
  for (const block of blocks) {
    try {
      const cert = new X509Certificate(Buffer.from(block.rawData));
      out.push(cert.toString());
    } catch (e) {
      if (onInvalid === 'throw') {
        throw new InvalidArgumentError(source, `holds a certificate that cannot be parsed (${String(e)})`);
      }
      logger.warn('skipping an unparsable CA certificate', { source });
    }
  }
  return out;
}
