import { z } from 'zod';
import { networkEntryList, strictSection } from './common.js';

/**
 * NetworkPolicy of seed 000. allow_out beats deny_out. `allow_public_traffic` and `mask_request_host`
 * are sent by `@declaw/sdk` for the hosted product's ingress URLs; declaw offers no ingress into
 * sandboxes, so they are accepted and have no effect.
 */
export const networkSchema = strictSection({
  allow_out: networkEntryList.default([]),
  deny_out: networkEntryList.default([]),
  allow_public_traffic: z.boolean().optional(),
  mask_request_host: z.string().optional(),
}).transform((n) => ({ allow_out: n.allow_out, deny_out: n.deny_out }));
