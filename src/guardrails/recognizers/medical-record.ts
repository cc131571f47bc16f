import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';
import { findLabelled } from './candidates.js';
import type { Cue } from './context.js';

const CUES: readonly Cue[] = [
  { id: 'mrn', pattern: /\b(?:MRN|MR#|MRNO)\b|\bMR\s*(?:No|Nr|Number|#)\b/, score: 0.85 },
  {
    id: 'medical-record',
    pattern:
      /\b(?:medical|health|patient|hospital|clinical)\s+records?(?:\s*(?:no|nr|number|num|id|#)\b\.?)?|\bmed\.?\s*rec(?:ord)?\.?\s*(?:no|number|#)?/i,
    score: 0.85,
  },
  { id: 'ehr', pattern: /\b(?:EHR|EMR)\s*(?:ID|No|Number|#)\b/i, score: 0.75 },
  {
    id: 'patient-id',
    pattern: /\b(?:patient|chart|hospital)\s*(?:id|identifier|no|nr|number|#)\b\.?/i,
    score: 0.65,
  },
];

// MRNs are assigned by each hospital: 5 to 12 digits, sometimes after a short letter prefix
// (`E1234567`, `MR-0012345`) or in dash-separated groups.
const MRN = /^[A-Z]{0,3}\d{5,12}$/;

/**
 * Recognizes medical record numbers: 5–12 digits, optionally after up to three letters, labelled by
 * "MRN", "medical record number", "EHR ID", "patient ID" or "chart number" (required: MRNs have no
 * common format or checksum). Scores: MRN or medical record 0.85, EHR/EMR ID 0.75, patient/chart ID
 * 0.65; 0.1 less when the label follows the number.
 *
 * @example
 * createMedicalRecordRecognizer().analyze('MRN: 00123456');
 * // [{ type: 'medical_record', start: 5, end: 13, score: 0.85, recognizer: 'medical_record:mrn' }]
 */
export function createMedicalRecordRecognizer(): EntityRecognizer {
  const types: readonly PiiType[] = ['medical_record'];
  return {
    name: 'medical_record',
    types,
    analyze(text: string): EntityFinding[] {
      return findLabelled(text, {
        type: 'medical_record',
        name: 'medical_record',
        cues: CUES,
        minLength: 5,
        maxLength: 15,
        accepts: (c) => MRN.test(c.token),
      });
    },
  };
}
