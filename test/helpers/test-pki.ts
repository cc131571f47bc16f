/**
 * A throwaway public-key infrastructure for tests: a root CA and server certificates for whatever names
 * a test's "internet" needs (api.openai.com, 127.0.0.1, ...). Everything is in memory and in PEM, ready
 * for `https.createServer({ key, cert })` on the server side and `ca` / extra-CA options on the client.
 *
 * It is the demo's in-memory CA with test defaults; it is independent of the sandbox CA and leaf cache,
 * so a bug there cannot hide in both halves of a test.
 *
 * @example
 * const pki = await createTestPki();
 * const server = await pki.issueServer(['api.openai.com', '127.0.0.1']);
 * https.createServer({ key: server.keyPem, cert: server.certPem }, handler).listen(0, '127.0.0.1');
 * // clients trust pki.rootCaPem
 */
import { createDemoPki, type IssueServerOptions } from '../../src/demo/demo-pki.js';

const DAY_MS = 86_400_000;

export type { IssueServerOptions };

/** Key and certificate of one test server. */
export interface TestServerCredentials {
  /** The server's private key (PKCS#8 PEM). */
  keyPem: string;
  /** The server's certificate (PEM), signed by the test root. */
  certPem: string;
  /** Names in its subjectAltName. */
  names: readonly string[];
}

/** A test root CA that issues server certificates. */
export interface TestPki {
  /** The root certificate (PEM): what test clients and the proxy's upstream trust should add. */
  rootCaPem: string;
  /** Issues a certificate for `names` (DNS names or IP literals), valid 30 days unless told otherwise. */
  issueServer(names: readonly string[], options?: IssueServerOptions): Promise<TestServerCredentials>;
}

/** Makes a new test root CA. Each call gives an unrelated root. */
export async function createTestPki(options: { commonName?: string } = {}): Promise<TestPki> {
  const pki = await createDemoPki({
    commonName: options.commonName ?? 'declaw test root CA',
    validityMs: 365 * DAY_MS,
  });
  return {
    rootCaPem: pki.caPem,
    async issueServer(names, issueOptions = {}) {
      const credentials = await pki.issueServer(names, {
        notBefore: issueOptions.notBefore,
        notAfter: issueOptions.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
      });
      return { ...credentials, names: [...names] };
    },
  };
}
