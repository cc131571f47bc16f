/**
 * Runs `fn` with a signal that fires on SIGINT or SIGTERM (Ctrl-C, `kill`), so long-running commands
 * stop cleanly and remove what they built; the handlers are removed when `fn` settles.
 *
 * @example
 * await withInterrupt((signal) => runProxyCommand(opts, io, { signal }));
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
