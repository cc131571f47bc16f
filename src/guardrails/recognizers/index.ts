import type { EntityRecognizer } from '../types.js';
import { createBankAccountRecognizer } from './bank-account.js';
import { createDriversLicenseRecognizer } from './drivers-license.js';
import { createMedicalRecordRecognizer } from './medical-record.js';
import { createPassportRecognizer } from './passport.js';

export { createBankAccountRecognizer } from './bank-account.js';
export { createDriversLicenseRecognizer } from './drivers-license.js';
export { createMedicalRecordRecognizer } from './medical-record.js';
export { createPassportRecognizer } from './passport.js';
export { findMrz } from './mrz.js';
export { abaRoutingValid, mrzCheckDigit } from './check-digits.js';

/**
 * The pattern recognizers for seed 001's document numbers: passport, drivers_license,
 * medical_record and bank_account. Each needs a label word nearby (or, for passport MRZs and routing
 * numbers, valid check digits as well) and scores by the evidence it saw.
 *
 * @example
 * const analyzer = createEntityAnalyzer({ recognizers: createPatternRecognizers() });
 */
export function createPatternRecognizers(): EntityRecognizer[] {
  return [
    createPassportRecognizer(),
    createDriversLicenseRecognizer(),
    createMedicalRecordRecognizer(),
    createBankAccountRecognizer(),
  ];
}
