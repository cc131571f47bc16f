import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';
import { findLabelled } from './candidates.js';
import { abaRoutingValid } from './check-digits.js';
import type { Cue } from './context.js';
import { allDigits } from './number-shapes.js';

const ACCOUNT_CUES: readonly Cue[] = [
  {
    id: 'bank-account',
    pattern:
      /\b(?:bank|checking|chequing|savings|deposit|brokerage|beneficiary|debit)\s+(?:account|acct|a\/c)(?:\s*(?:no|nr|number|num|#)\b\.?)?/i,
    score: 0.85,
  },
  {
    id: 'account-number',
    pattern: /\b(?:account|acct|a\/c)\s*(?:no|nr|number|num|#)\b\.?|\bacct\b\.?/i,
    score: 0.7,
  },
  { id: 'account', pattern: /\baccount\b/i, score: 0.5 },
];

const ROUTING_CUES: readonly Cue[] = [
  {
    id: 'routing',
    pattern: /\b(?:routing|ABA|RTN|transit)(?:\s*(?:no|nr|number|num|#)\b\.?)?|\bABA\s+routing\b/i,
    score: 0.95,
  },
  { id: 'bank', pattern: /\b(?:bank|ACH|wire|direct\s+deposit)\b/i, score: 0.6 },
];

/**
 * Recognizes US bank account numbers (8–17 digits, optionally grouped by spaces or dashes) labelled
 * by "account number", "checking account", "acct" and the like, and ABA routing numbers (nine digits
 * whose checksum and Federal Reserve prefix are valid) labelled by "routing", "ABA" or a banking word.
 * A label is required for both: an unlabelled nine-digit number is as likely an order number.
 * Scores: routing label and valid checksum 0.95, banking word 0.6; "bank/checking account" 0.85,
 * "account number"/"acct" 0.7, a bare "account" 0.5; 0.1 less when the label follows the number.
 *
 * @example
 * createBankAccountRecognizer().analyze('routing 021000021, checking account 4456 7890 1234');
 * // [routing 8–17 (bank_account:aba:routing, 0.95), account 36–50 (bank_account:bank-account, 0.85)]
 */
export function createBankAccountRecognizer(): EntityRecognizer {
  const types: readonly PiiType[] = ['bank_account'];
  return {
    name: 'bank_account',
    types,
    analyze(text: string): EntityFinding[] {
      const routing = findLabelled(text, {
        type: 'bank_account',
        name: 'bank_account:aba',
        cues: ROUTING_CUES,
        minLength: 9,
        maxLength: 9,
        accepts: (c) => c.raw === c.token && abaRoutingValid(c.token),
      });
      const accounts = findLabelled(text, {
        type: 'bank_account',
        name: 'bank_account',
        cues: ACCOUNT_CUES,
        minLength: 8,
        maxLength: 17,
        accepts: (c) => allDigits(c.token) && groupsAreLong(c.raw),
      });
      return [...routing, ...accounts.filter((a) => !routing.some((r) => r.start === a.start))];
    },
  };
}

/** Account numbers are grouped, if at all, in runs of three or more digits (`12-34` is not one). */
function groupsAreLong(raw: string): boolean {
  return raw.split(/[\s-]/).every((g) => g.length >= 3);
}
