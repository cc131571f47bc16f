/**
 * Best-of-N CPU time of a function, in milliseconds: the figure for "one core" on a shared machine.
 * CPU time (user + system of this process) leaves out time spent waiting for a core; the best of
 * several runs leaves out runs slowed by cache and frequency effects of other load.
 *
 * @example
 * const ms = bestCpuMs(() => JSON.parse(text), 10);
 */
export function bestCpuMs(run: () => void, runs = 10): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}
