/**
 * Endpoints of the hosted product that declaw does not implement answer 501 with a message saying
 * so and what to do instead, rather than a bare 404 a client could mistake for a missing sandbox.
 */
import { NotSupportedError } from '../../errors.js';
import type { Router } from '../router.js';

const HOSTED_ONLY: Array<{ pattern: string; feature: string; advice: string }> = [
  {
    pattern: '/sandboxes/:id/pause',
    feature: 'pausing sandboxes',
    advice: 'extend the TTL with PATCH /sandboxes/:id/timeout',
  },
  {
    pattern: '/sandboxes/:id/resume',
    feature: 'resuming sandboxes',
    advice: 'sandboxes are never paused in declaw',
  },
  { pattern: '/sandboxes/:id/snapshot', feature: 'snapshots', advice: 'copy files out with the files API' },
  { pattern: '/sandboxes/:id/snapshots', feature: 'snapshots', advice: 'copy files out with the files API' },
  {
    pattern: '/sandboxes/:id/snapshots/*',
    feature: 'snapshots',
    advice: 'copy files out with the files API',
  },
  { pattern: '/sandboxes/:id/restore', feature: 'snapshots', advice: 'create a new sandbox' },
  { pattern: '/sandboxes/:id/volumes/*', feature: 'volumes', advice: 'write files with the files API' },
  {
    pattern: '/sandboxes/:id/pty',
    feature: 'PTYs',
    advice: 'use commands (run, stream, background with stdin)',
  },
  {
    pattern: '/sandboxes/:id/pty/*',
    feature: 'PTYs',
    advice: 'use commands (run, stream, background with stdin)',
  },
  {
    pattern: '/sandboxes/:id/ports/*',
    feature: 'port forwarding',
    advice: 'sandboxes accept no inbound connections in declaw',
  },
  { pattern: '/snapshots', feature: 'snapshots', advice: 'copy files out with the files API' },
  { pattern: '/snapshots/*', feature: 'snapshots', advice: 'copy files out with the files API' },
  {
    pattern: '/templates',
    feature: 'templates',
    advice: "sandboxes run the host's own userland; install tools on the host",
  },
  {
    pattern: '/templates/*',
    feature: 'templates',
    advice: "sandboxes run the host's own userland; install tools on the host",
  },
  { pattern: '/volumes', feature: 'volumes', advice: 'write files with the files API' },
  { pattern: '/volumes/*', feature: 'volumes', advice: 'write files with the files API' },
  { pattern: '/teams', feature: 'teams', advice: 'one daemon serves one team; use API keys' },
  {
    pattern: '/teams/*',
    feature: 'teams and the vault',
    advice: 'pass secrets as secure env vars in the policy',
  },
  { pattern: '/vault/*', feature: 'the vault', advice: 'pass secrets as secure env vars in the policy' },
  {
    pattern: '/governance/*',
    feature: 'governance packs',
    advice: 'write the policy you need as a SecurityPolicy',
  },
];

/** Register the 501 routes (after the real ones, so they never shadow them). */
export function hostedOnlyRoutes(router: Router): void {
  for (const h of HOSTED_ONLY) {
    router.add('*', h.pattern, () => {
      throw new NotSupportedError(h.feature, h.advice);
    });
  }
}
