/**
 * The certificate authority of ONE sandbox. The proxy signs interception leaf certificates with it; its
 * certificate goes into that sandbox's trust store and nowhere else, so a sandbox can never be
 * intercepted with another sandbox's CA.
 *
 * The private key is a non-extractable WebCrypto key held in a private field: nothing in declaw can
 * export it, write it to disk, or hand it to a sandbox. The price is that a CA lives exactly as long as
 * the process that made it; after a proxy restart every sandbox gets a new CA (see docs/tls.md).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  Extension as AsnExtension,
  Extensions,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  Name as AsnName,
  NameConstraints,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { InvalidArgumentError } from '../../errors.js';

type CryptoKey = webcrypto.CryptoKey;

/** WebCrypto parameters of every declaw key: ECDSA on P-256, signatures with SHA-256. */
export const ECDSA_P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const NAME_CONSTRAINTS_OID = '2.5.29.30';
/** ecdsa-with-SHA256 (RFC 5758 §3.2: no parameters). */
const ECDSA_WITH_SHA256_OID = '1.2.840.10045.4.3.2';
const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY_MS = 86_400_000;
/** Certificates start this far in the past so a sandbox clock slightly behind the host's still accepts them. */
export const CLOCK_SKEW_MS = 3_600_000;

/** Options of {@link SandboxCa.create}. */
export interface SandboxCaOptions {
  /** The sandbox's id; shown in the CA's subject so a user can tell which sandbox a CA belongs to. */
  sandboxId: string;
  /** How long the CA certificate is valid. Default 365 days. */
  validityDays?: number;
  /**
   * When set, the CA may only issue for these DNS domains and their subdomains (X.509 name constraints,
   * enforced by the client's TLS library). Use it when the sandbox's policy allows a closed list of
   * domains; leave it unset when any host may be reached. IP-address leaves are not affected.
   */
  permittedDnsDomains?: readonly string[];
  /** Clock, for tests. */
  now?: () => Date;
}

/** What {@link SandboxCa.issueLeaf} needs. */
export interface LeafRequest {
  /** DNS names and IP literals for the subjectAltName; the first one also becomes the common name. */
  names: readonly string[];
  /** Public half of the leaf key. */
  publicKey: CryptoKey;
  notBefore: Date;
  notAfter: Date;
}

/** A certificate signed by {@link SandboxCa.issueLeaf}, with the validity actually granted. */
export interface IssuedLeaf {
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A per-sandbox CA: ECDSA P-256 key pair plus a self-signed CA certificate.
 *
 * @example
 * const ca = await SandboxCa.create({ sandboxId: 'sbx-1a2b' });
 * await writeFile(trustStorePath, ca.certificatePem);        // the only thing a sandbox ever gets
 * const cache = new LeafCache({ ca });                        // signs leaves with ca.issueLeaf()
 */
export class SandboxCa {
  /** Id of the sandbox this CA belongs to. */
  readonly sandboxId: string;
  /** The CA certificate in PEM, for the sandbox trust store (and `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`...). */
  readonly certificatePem: string;
  /** Hex SHA-256 fingerprint of the CA certificate, for logs and `declaw ca`. */
  readonly fingerprint256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;

  readonly #privateKey: CryptoKey;
  /** Extensions every leaf carries, parsed once: minting then only encodes the SAN. */
  readonly #leafExtensions: readonly AsnExtension[];
  readonly #issuer: AsnName;
  /** Leaf public keys in ASN.1 form, per key: a leaf cache passes the same key for every leaf. */
  readonly #spki = new WeakMap<CryptoKey, SubjectPublicKeyInfo>();
  readonly #signatureFormatter = new x509.AsnEcSignatureFormatter();

  private constructor(
    sandboxId: string,
    privateKey: CryptoKey,
    certificate: x509.X509Certificate,
    authorityKeyId: x509.AuthorityKeyIdentifierExtension,
    fingerprint256: string,
  ) {
    this.sandboxId = sandboxId;
    this.#privateKey = privateKey;
    this.#issuer = AsnConvert.parse(certificate.subjectName.toArrayBuffer(), AsnName);
    this.#leafExtensions = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      authorityKeyId,
    ].map((e) => AsnConvert.parse(e.rawData, AsnExtension));
    this.certificatePem = certificate.toString('pem');
    this.fingerprint256 = fingerprint256;
    this.notBefore = certificate.notBefore;
    this.notAfter = certificate.notAfter;
  }

  /** Generates a fresh key pair and CA certificate. Nothing is shared with any other CA. */
  static async create(options: SandboxCaOptions): Promise<SandboxCa> {
    const { sandboxId } = options;
    if (!SANDBOX_ID.test(sandboxId)) {
      throw new InvalidArgumentError(
        'sandboxId',
        `"${sandboxId}" is not a valid sandbox id; use 1-64 letters, digits, ".", "_" or "-"`,
      );
    }
    const validityDays = options.validityDays ?? 365;
    if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
      throw new InvalidArgumentError(
        'validityDays',
        `must be a whole number of days from 1 to 3650, got ${validityDays}`,
      );
    }
    const now = (options.now ?? (() => new Date()))().getTime();
    // extractable=false: the private key can sign but no API can ever read it back.
    const keys = (await webcrypto.subtle.generateKey(ECDSA_P256, false, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ski,
    ];
    if (options.permittedDnsDomains !== undefined) {
      extensions.push(nameConstraints(options.permittedDnsDomains));
    }
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        name: [{ CN: [`declaw sandbox CA ${sandboxId}`] }, { O: ['declaw'] }],
        keys,
        notBefore: new Date(now - CLOCK_SKEW_MS),
        notAfter: new Date(now + validityDays * DAY_MS),
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions,
      },
      webcrypto,
    );
    const digest = await certificate.getThumbprint('SHA-256', webcrypto);
    return new SandboxCa(
      sandboxId,
      keys.privateKey,
      certificate,
      new x509.AuthorityKeyIdentifierExtension(ski.keyId),
      Buffer.from(digest).toString('hex'),
    );
  }

  /**
   * Signs a server certificate for `names` with this CA. Validity is clamped to the CA's own.
   *
   * @example
   * const { certificatePem } = await ca.issueLeaf({ names: ['api.openai.com'], publicKey, notBefore, notAfter });
   */
  async issueLeaf(request: LeafRequest): Promise<IssuedLeaf> {
    const first = request.names[0];
    if (first === undefined)
      throw new InvalidArgumentError('names', 'a leaf certificate needs at least one name');
    const notBefore = new Date(Math.max(request.notBefore.getTime(), this.notBefore.getTime()));
    const notAfter = new Date(Math.min(request.notAfter.getTime(), this.notAfter.getTime()));
    if (notAfter.getTime() <= notBefore.getTime()) {
      throw new InvalidArgumentError(
        'notAfter',
        `the sandbox CA ${this.sandboxId} is valid until ${this.notAfter.toISOString()}, so it cannot issue ` +
          `for ${request.notBefore.toISOString()}..${request.notAfter.toISOString()}; recreate the sandbox to get a new CA`,
      );
    }
    // The certificate is assembled from ASN.1 parts prepared once (issuer, fixed extensions, the leaf
    // key) and serialised once: X509CertificateGenerator re-parses every part and then the finished
    // certificate, which was most of the time of a mint.
    const signature = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256_OID });
    const subject = new x509.Name(
      // RFC 5280 caps a common name at 64 characters; longer names live in the SAN alone.
      first.length <= 64 ? [{ CN: [first] }] : [{ O: ['declaw interception'] }],
    );
    const san = new x509.SubjectAlternativeNameExtension(
      request.names.map((n) =>
        isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n },
      ),
    );
    const tbsCertificate = new TBSCertificate({
      version: Version.v3,
      serialNumber: serialNumber(),
      signature,
      issuer: this.#issuer,
      validity: new Validity({ notBefore, notAfter }),
      subject: AsnConvert.parse(subject.toArrayBuffer(), AsnName),
      subjectPublicKeyInfo: await this.#spkiOf(request.publicKey),
      extensions: new Extensions([...this.#leafExtensions, AsnConvert.parse(san.rawData, AsnExtension)]),
    });
    const tbs = AsnConvert.serialize(tbsCertificate);
    const p1363 = await webcrypto.subtle.sign(SIGNING_ALGORITHM, this.#privateKey, tbs);
    const signatureValue = this.#signatureFormatter.toAsnSignature(SIGNING_ALGORITHM, p1363);
    if (signatureValue === null) throw new Error('ECDSA signature could not be encoded'); // not for P-256
    const der = AsnConvert.serialize(
      new Certificate({ tbsCertificate, signatureAlgorithm: signature, signatureValue }),
    );
    return { certificatePem: x509.PemConverter.encode(der, 'CERTIFICATE'), notBefore, notAfter };
  }

  async #spkiOf(key: CryptoKey): Promise<SubjectPublicKeyInfo> {
    let spki = this.#spki.get(key);
    if (spki === undefined) {
      spki = AsnConvert.parse(await webcrypto.subtle.exportKey('spki', key), SubjectPublicKeyInfo);
      this.#spki.set(key, spki);
    }
    return spki;
  }

  /** Never reveals key material when logged or serialised. */
  toJSON(): Record<string, unknown> {
    return {
      sandboxId: this.sandboxId,
      fingerprint256: this.fingerprint256,
      notAfter: this.notAfter.toISOString(),
    };
  }
}

/** 16 random bytes as a positive DER INTEGER with no leading zero (RFC 5280 §4.1.2.2: at most 20 octets). */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

/** A critical nameConstraints extension permitting only `domains` (and their subdomains) for DNS names. */
function nameConstraints(domains: readonly string[]): x509.Extension {
  if (domains.length === 0) {
    throw new InvalidArgumentError('permittedDnsDomains', 'must name at least one domain, or be left unset');
  }
  const subtrees = domains.map((raw) => {
    const domain = raw.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(domain) || domain.length > 253) {
      throw new InvalidArgumentError('permittedDnsDomains', `"${raw}" is not a DNS domain`);
    }
    return new GeneralSubtree({ base: new GeneralName({ dNSName: domain }) });
  });
  const value = AsnConvert.serialize(
    new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }),
  );
  return new x509.Extension(NAME_CONSTRAINTS_OID, true, value);
}
