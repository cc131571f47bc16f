import type { TestContext } from 'node:test';

/**
 * Tests that need root call this first. Outside CI they are skipped with the reason printed; on CI
 * (CI=true, which runs as root) a missing privilege fails the test, so a root-only test can never be
 * skipped silently there.
 */
export function requireRoot(t: TestContext, why: string): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) return true;
  if (process.env.CI === 'true') {
    throw new Error(`this test needs root (${why}) and CI must run it; run .ci/run as root`);
  }
  t.skip(`needs root: ${why}`);
  return false;
}
