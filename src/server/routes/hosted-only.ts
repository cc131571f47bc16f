/**
 * Endpoints of the hosted product that declaw does not implement answer 501 with a message saying
 * so and what to do instead, rather than a bare 404 a client could mistake for a missing sandbox.
 */
import { NotSupportedError } from '../../errors.js';
import type { Router } from '../router.js';

const FILES_INSTEAD = 'copy files out with the files API';
const SECRETS_INSTEAD = 'pass secrets as secure env vars in the policy';

/** Hosted features by route patterns, with what to do instead. */
const HOSTED_ONLY: Array<{ patterns: string[]; feature: string; advice: string }> = [
  {
    patterns: ['/sandboxes/:id/pause'],
    feature: 'pausing sandboxes',
    advice: 'extend the TTL with PATCH /sandboxes/:id/timeout',
  },
  {
    patterns: ['/sandboxes/:id/resume'],
    feature: 'resuming sandboxes',
    advice: 'sandboxes are never paused in declaw',
  },
  {
    patterns: ['/sandboxes/:id/snapshot', '/sandboxes/:id/snapshots', '/sandboxes/:id/snapshots/*'],
    feature: 'snapshots',
    advice: FILES_INSTEAD,
  },
  { patterns: ['/snapshots', '/snapshots/*'], feature: 'snapshots', advice: FILES_INSTEAD },
  { patterns: ['/sandboxes/:id/restore'], feature: 'snapshots', advice: 'create a new sandbox' },
  {
    patterns: ['/sandboxes/:id/volumes/*', '/volumes', '/volumes/*'],
    feature: 'volumes',
    advice: 'write files with the files API',
  },
  {
    patterns: ['/sandboxes/:id/pty', '/sandboxes/:id/pty/*'],
    feature: 'PTYs',
    advice: 'use commands (run, stream, background with stdin)',
  },
  {
    patterns: ['/sandboxes/:id/ports/*'],
    feature: 'port forwarding',
    advice: 'sandboxes accept no inbound connections in declaw',
  },
  {
    patterns: ['/templates', '/templates/*'],
    feature: 'templates',
    advice: "sandboxes run the host's own userland; install tools on the host",
  },
  { patterns: ['/teams'], feature: 'teams', advice: 'one daemon serves one team; use API keys' },
  { patterns: ['/teams/*'], feature: 'teams and the vault', advice: SECRETS_INSTEAD },
  { patterns: ['/vault/*'], feature: 'the vault', advice: SECRETS_INSTEAD },
  {
    patterns: ['/governance/*'],
    feature: 'governance packs',
    advice: 'write the policy you need as a SecurityPolicy',
  },
];

/** Register the 501 routes (after the real ones, so they never shadow them). */
export function hostedOnlyRoutes(router: Router): void {
  for (const h of HOSTED_ONLY) {
    for (const pattern of h.patterns) {
      router.add('*', pattern, () => {
        throw new NotSupportedError(h.feature, h.advice);
      });
    }
  }
}
