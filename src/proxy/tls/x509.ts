/**
 * The one entry point to @peculiar/x509 in declaw. That library resolves its algorithms through tsyringe,
 * which needs the Reflect metadata polyfill loaded first; importing through this file guarantees the
 * order wherever certificates are made (CA, leaves, test PKI).
 *
 * @example
 * import { x509 } from './x509.js';
 * const cert = new x509.X509Certificate(pem);
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export { x509 };
