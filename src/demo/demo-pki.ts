/**
 * The demo's own certificate authority: made fresh for each `declaw demo` run, kept in memory only,
 * and trusted by nothing but that run's proxy. It issues the certificate of the fake LLM host, so the
 * proxy verifies the upstream exactly as it verifies the real api.openai.com, without the demo ever
 * touching the host's trust store.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from '../proxy/tls/x509.js';

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const HOUR_MS = 3_600_000;

/** A server certificate and its key, in PEM, ready for `https.createServer`. */
export interface DemoServerCredentials {
  keyPem: string;
  certPem: string;
}

/** Validity of one server certificate. */
export interface IssueServerOptions {
  /** Default: one hour ago. */
  notBefore?: Date;
  /** Default: a day from now. Pass a past date to make an expired certificate. */
  notAfter?: Date;
}

/** The demo CA of one run. */
export interface DemoPki {
  /** The root certificate (PEM), for the proxy's upstream trust. */
  caPem: string;
  /** A certificate for `names` (DNS names or IP literals) with a fresh P-256 key. */
  issueServer(names: readonly string[], options?: IssueServerOptions): Promise<DemoServerCredentials>;
}

/** Options of {@link createDemoPki}. */
export interface DemoPkiOptions {
  /** The root's common name. Default `declaw demo CA (one run, in memory)`. */
  commonName?: string;
  /** How long the root is valid from now. Default one day. */
  validityMs?: number;
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ]) as Promise<webcrypto.CryptoKeyPair>;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/**
 * Makes the CA of one demo run. Its private key never leaves this object.
 *
 * @example
 * const pki = await createDemoPki();
 * const { keyPem, certPem } = await pki.issueServer(['api.openai.com']);
 * const trust = await UpstreamTrust.load({ includeSystemStore: false, extraCaPems: [pki.caPem], env: {} });
 */
export async function createDemoPki(options: DemoPkiOptions = {}): Promise<DemoPki> {
  const caKeys = await newKeys();
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [options.commonName ?? 'declaw demo CA (one run, in memory)'] }],
      keys: caKeys,
      notBefore: new Date(now - HOUR_MS),
      notAfter: new Date(now + (options.validityMs ?? 24 * HOUR_MS)),
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(
    caKeys.publicKey,
    false,
    webcrypto,
  );
  return {
    caPem: ca.toString('pem'),
    async issueServer(names, validity = {}) {
      const first = names[0];
      if (first === undefined) throw new RangeError('issueServer needs at least one name');
      const keys = await newKeys();
      const cert = await x509.X509CertificateGenerator.create(
        {
          subject: [{ CN: [first.slice(0, 64)] }],
          issuer: ca.subjectName,
          publicKey: keys.publicKey,
          signingKey: caKeys.privateKey,
          notBefore: validity.notBefore ?? new Date(Date.now() - HOUR_MS),
          notAfter: validity.notAfter ?? new Date(Date.now() + 24 * HOUR_MS),
          signingAlgorithm: SIGNING,
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
            new x509.SubjectAlternativeNameExtension(
              names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
            ),
            authorityKeyId,
          ],
        },
        webcrypto,
      );
      return { keyPem: await keyPem(keys.privateKey), certPem: cert.toString('pem') };
    },
  };
}
