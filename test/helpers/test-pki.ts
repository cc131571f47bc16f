/**
 * A throwaway public-key infrastructure for tests: a root CA and server certificates for whatever names
 * a test's "internet" needs (api.openai.com, 127.0.0.1, ...). Everything is in memory and in PEM, ready
 * for `https.createServer({ key, cert })` on the server side and `ca` / extra-CA options on the client.
 *
 * Deliberately independent of the sandbox CA and leaf cache (it shares only the @peculiar/x509 loader)
 * so a bug there cannot hide in both halves of a test.
 *
 * @example
 * const pki = await createTestPki();
 * const server = await pki.issueServer(['api.openai.com', '127.0.0.1']);
 * https.createServer({ key: server.keyPem, cert: server.certPem }, handler).listen(0, '127.0.0.1');
 * // clients trust pki.rootCaPem
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from '../../src/proxy/tls/x509.js';

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** Key and certificate of one test server. */
export interface TestServerCredentials {
  /** The server's private key (PKCS#8 PEM). */
  keyPem: string;
  /** The server's certificate (PEM), signed by the test root. */
  certPem: string;
  /** Names in its subjectAltName. */
  names: readonly string[];
}

/** Options of {@link TestPki.issueServer}. */
export interface IssueServerOptions {
  /** Default: one hour ago. */
  notBefore?: Date;
  /** Default: 30 days from now. Pass a past date to make an expired certificate. */
  notAfter?: Date;
}

/** A test root CA that issues server certificates. */
export interface TestPki {
  /** The root certificate (PEM): what test clients and the proxy's upstream trust should add. */
  rootCaPem: string;
  /** Issues a certificate for `names` (DNS names or IP literals) with a fresh P-256 key. */
  issueServer(names: readonly string[], options?: IssueServerOptions): Promise<TestServerCredentials>;
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ]) as Promise<webcrypto.CryptoKeyPair>;
}

/** Makes a new test root CA. Each call gives an unrelated root. */
export async function createTestPki(options: { commonName?: string } = {}): Promise<TestPki> {
  const rootKeys = await newKeys();
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [options.commonName ?? 'declaw test root CA'] }],
      keys: rootKeys,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(
    rootKeys.publicKey,
    false,
    webcrypto,
  );

  return {
    rootCaPem: root.toString('pem'),
    async issueServer(names, issueOptions = {}) {
      const first = names[0];
      if (first === undefined) throw new Error('issueServer needs at least one name');
      const keys = await newKeys();
      const cert = await x509.X509CertificateGenerator.create(
        {
          subject: [{ CN: [first.slice(0, 64)] }],
          issuer: root.subjectName,
          publicKey: keys.publicKey,
          signingKey: rootKeys.privateKey,
          notBefore: issueOptions.notBefore ?? new Date(Date.now() - 3_600_000),
          notAfter: issueOptions.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
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
      return {
        keyPem: await exportKeyPem(keys.privateKey),
        certPem: cert.toString('pem'),
        names: [...names],
      };
    },
  };
}
