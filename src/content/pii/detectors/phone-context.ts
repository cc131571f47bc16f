/**
 * Context words that make a digit group a phone number: "Phone: …", "call me at …", "… (office)".
 * Formats alone cannot tell `0490 75 40 81` or `467 3395` from other numbers, and national formats
 * differ per country, so for numbers libphonenumber does not validate in the configured regions the
 * detector asks for one of these nearby. The lists are general vocabulary, not tuned to any sample.
 */

// Words that name a phone line on their own. Anything but digits may sit between them and the number
// (`Phone:\n0490 75 40 81`, `call me on 9472 7916`).
const STRONG_BEFORE =
  /(?:^|[^a-z])(?:phone|phones|telephone|tel|tele|mobile|mob|cell|cellphone|cellular|fax|call|calls|calling|called|ring|dial|sms|whatsapp|signal|voicemail|landline|hotline|helpline|telefon|telefono|telefone|téléphone|tél|tlf|handy|portable|móvil|cellulare)\b([^0-9]{0,30})$/i;

// Weaker words that need the number close by and not across JSON or markup punctuation
// (`"messages": [{"content": "12345678"` is not a phone).
const WEAK_BEFORE =
  /(?:^|[^a-z])(?:contact|reach|reached|reachable|text|texts|message|messages|answer|answering|desk|office|home|work|direct|switchboard|extension)\b([^0-9"{}[\]<>=]{0,24})$/i;

// "My number is …": a bare "number" is too common, a person's number is a phone number.
const POSSESSIVE_NUMBER = /(?:^|[^a-z])(?:my|your|his|her|our|their)\s+number\b([^0-9"{}[\]<>=]{0,20})$/i;

// Words between the cue and the number that make it some other kind of number.
const OTHER_NUMBER =
  /\b(?:id|ids|code|pin|zip|postal|postcode|order|account|acct|ref|reference|invoice|ticket|case|serial|sku|iban|card|ssn|passport|licen[cs]e|tracking|year|years|age|room|suite|apt|unit|box)\b/i;

// A label right after the number: `416 60 039 office`, `(37) 788-063-Office`, `3660170548-Fax`.
const LABEL_AFTER =
  /^[ \t\-–,(/]{0,3}(?:office|fax|mobile|cell|home|work|phone|tel|desk|direct|landline|business|private|mob)\b/i;

// A number followed by a street name is a house number: `17031 2202 Rissik St`.
const STREET_AFTER =
  /^[ \t]+(?:[a-zà-ÿ'.-]+[ \t]+){0,3}(?:st|street|rd|road|ave|avenue|blvd|boulevard|ln|lane|dr|drive|way|ct|court|pl|place|sq|square|close|crescent|terrace|grove|gardens|parade|row|mews|hwy|highway|pkwy|apt|suite|strasse|straße|gasse|weg|rue|via|calle|avenida|rua|katu|gatan|vej)\b/i;

// A label right before the number that names another kind of number or an address part.
const OTHER_BEFORE =
  /(?:^|[^a-z])(?:zip|postal|postcode|licen[cs]e|passport|iban|account|acct|order|invoice|ssn|suite|apt|apartment|unit|box|room|floor|address)\b[^0-9a-z]{0,4}(?:(?:number|no|is|#)[^0-9a-z]{0,4}){0,2}$/i;

/**
 * Whether the number at `[start, end)` is labelled as something else: a house number before a street
 * name, or a number right after "ZIP", "licence number", "Apt.", "account" and the like. Such a
 * number is not a phone even when libphonenumber-js finds it valid in some configured region.
 *
 * @example
 * looksLikeOtherNumber('ZIP: 75534-030', 5, 14); // true
 */
export function looksLikeOtherNumber(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 32), start);
  const after = text.slice(end, Math.min(text.length, end + 48));
  return STREET_AFTER.test(after) || OTHER_BEFORE.test(before);
}

/**
 * Whether a phone cue surrounds the number at `[start, end)` in `text`.
 *
 * @example
 * hasPhoneContext('Phone: 0490 75 40 81', 7, 20); // true
 * hasPhoneContext('Order 0490 75 40 81', 6, 19); // false
 */
export function hasPhoneContext(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 48), start);
  const after = text.slice(end, Math.min(text.length, end + 48));
  if (STREET_AFTER.test(after)) return false;
  const cue = STRONG_BEFORE.exec(before) ?? WEAK_BEFORE.exec(before) ?? POSSESSIVE_NUMBER.exec(before);
  if (cue && !OTHER_NUMBER.test(cue[1] ?? '')) return true;
  return LABEL_AFTER.test(after);
}
