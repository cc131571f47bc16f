/**
 * Whether the PostgreSQL tests can run. They need DECLAW_TEST_POSTGRES_URL (.ci/run starts a server
 * and sets it). Outside CI they are skipped with the reason printed; on CI (CI=true) a missing URL is
 * a failure, so the PostgreSQL backend can never go untested there unnoticed.
 */
export function postgresUrl(): string | undefined {
  return process.env.DECLAW_TEST_POSTGRES_URL || undefined;
}

export function postgresSkipReason(): string | false {
  if (postgresUrl()) return false;
  if (process.env.CI === 'true') {
    throw new Error('DECLAW_TEST_POSTGRES_URL is not set on CI: .ci/run must start PostgreSQL and export it');
  }
  const reason =
    'DECLAW_TEST_POSTGRES_URL is not set (e.g. postgres://declaw:declaw@127.0.0.1:5432/declaw_test)';
  process.stderr.write(`postgres audit tests skipped: ${reason}\n`);
  return reason;
}
