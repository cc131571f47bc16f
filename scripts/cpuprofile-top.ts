/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): the functions with the most self time and
 * the most inclusive time (time with the function anywhere on the stack, counted once per sample even
 * when it recurses), each as a share of the sampled time.
 *
 *   npx tsx scripts/cpuprofile-top.ts FILE.cpuprofile [--top 30] [--filter src/proxy]
 *
 * `--filter` keeps only rows whose location contains the text (inclusive table only).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(src|bench|test|node_modules)\//, '$1/');
  const where = file === '' ? '' : ` ${file}:${f.lineNumber + 1}`;
  return `${f.functionName || '(anonymous)'}${where}`;
}

function summarise(profile: CpuProfile): {
  total: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
} {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  // timeDeltas[i] is the time before sample i; the sample stands for the interval that follows it,
  // which is the next delta (the last sample gets none).
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    total += dt;
    const leaf = byId.get(profile.samples[i]!)!;
    const leafKey = label(leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const key = label(byId.get(id)!.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  }
  return { total, self, inclusive };
}

function table(title: string, rows: Map<string, number>, total: number, top: number): void {
  console.log(`\n${title}\n| ms | % | function |\n|---:|---:|---|`);
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of sorted) {
    console.log(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} | ${key} |`);
  }
}

const files = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const topIndex = process.argv.indexOf('--top');
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 30;
const filterIndex = process.argv.indexOf('--filter');
const filter = filterIndex > 0 ? process.argv[filterIndex + 1] : undefined;
for (const file of files) {
  const { total, self, inclusive } = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const idle = self.get('(idle)') ?? 0;
  console.log(
    `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle, ${((total - idle) / 1000).toFixed(0)} ms busy`,
  );
  table('Self time', self, total, top);
  const kept = filter ? new Map([...inclusive].filter(([k]) => k.includes(filter))) : inclusive;
  table(`Inclusive time${filter ? ` (${filter})` : ''}`, kept, total, top);
}
