/**
 * The CA certificates `declaw ca` shows: the PEM blocks of certificates only (any private key in the
 * same text is left out, never printed), with subject, SHA-256 fingerprint and validity.
 */
import { X509Certificate } from 'node:crypto';

/** One CA certificate as `declaw ca` reports it. */
export interface CaCertificateInfo {
  /** Where it came from: a file path or a daemon URL. */
  source: string;
  subject: string;
  /** SHA-256 fingerprint, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it). */
  fingerprint_sha256: string;
  not_before: string;
  not_after: string;
  /** True when `now` is outside the validity period. */
  expired: boolean;
  is_ca: boolean;
  pem: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates in `text`, in order; anything that is not a certificate block (keys included) is
 * ignored. Blocks that do not parse are skipped.
 *
 * @example
 * const [ca] = certificatesIn(await readFile('ca.pem', 'utf8'), 'ca.pem');
 * ca?.fingerprint_sha256; // 'AB:12:...'
 */
export function certificatesIn(text: string, source: string, now = new Date()): CaCertificateInfo[] {
  const out: CaCertificateInfo[] = [];
  for (const block of text.match(CERT_BLOCK) ?? []) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      continue;
    }
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    out.push({
      source,
      subject: cert.subject.replace(/\n/g, ', '),
      fingerprint_sha256: cert.fingerprint256,
      not_before: notBefore.toISOString(),
      not_after: notAfter.toISOString(),
      expired: now < notBefore || now > notAfter,
      is_ca: cert.ca,
      pem: `${block}\n`,
    });
  }
  return out;
}

/**
 * The lines `declaw ca` prints on stderr about a certificate (the PEM itself goes to stdout).
 *
 * @example
 * io.stderr(describeCertificate(ca));
 * // CA certificate from /tmp/declaw-proxy-8080/ca.pem
 * //   subject      CN=declaw sandbox local
 * //   sha-256      AB:12:...
 * //   valid        2025-01-01T00:00:00.000Z → 2025-01-02T00:00:00.000Z
 */
export function describeCertificate(c: CaCertificateInfo): string {
  return (
    `CA certificate from ${c.source}${c.is_ca ? '' : ' (NOT a CA certificate)'}\n` +
    `  subject      ${c.subject}\n` +
    `  sha-256      ${c.fingerprint_sha256}\n` +
    `  valid        ${c.not_before} → ${c.not_after}${c.expired ? '  (EXPIRED or not yet valid)' : ''}\n`
  );
}
