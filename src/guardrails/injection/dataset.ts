/**
 * Training and held-out sets for the injection classifier, built reproducibly from a datasets folder
 * laid out like ../shared/datasets/injection (BIPIA and InjecGuard files; each file is optional) plus
 * any `*.labelled.jsonl` files of the user's own (`{"text": "...", "label": 0 | 1, "group"?: "..."}`).
 *
 * Positives are BIPIA attack strings inserted at a random whitespace position of a BIPIA document
 * (text attacks into emails, code attacks into code answers), with the attack's position kept so
 * training can tell the attack's windows from the document's. The held-out split shares no attack
 * string and no document with training: attack strings are split per category, a few whole categories
 * are held out as a second check, and documents are split too. InjecGuard rows, NotInject rows and
 * the user's rows are split by a seeded hash of their group (default: the text).
 *
 * @example
 * const ds = loadInjectionDataset('../shared/datasets/injection', { seed: 1 });
 * ds.train.length; // a few thousand labelled texts
 * ds.heldOut.filter((s) => s.label === 1 && s.heldOut === 'category').length;
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { FileUnreadableError, InvalidArgumentError } from '../../errors.js';
import { seededRandom, type SeededRandom } from './seeded.js';
import { mixHash } from './tokens.js';

/** One labelled text. */
export interface LabelledText {
  text: string;
  label: 0 | 1;
  /** Where the inserted attack lies in `text` (positives built by insertion only). */
  span?: { start: number; end: number };
  /** Which set it comes from, e.g. `bipia-text→email`, `bipia-email`, `notinject`, `user`. */
  set: string;
  /** Attack category, NotInject category, or `-`. */
  category: string;
  /** For held-out positives: held out by attack `string` or by whole `category`; otherwise `row`. */
  heldOut?: 'string' | 'category' | 'row';
}

/** The two splits, and what went into them. */
export interface InjectionDataset {
  train: LabelledText[];
  heldOut: LabelledText[];
  /** Attack categories held out whole (names as in the attack files). */
  heldOutCategories: string[];
}

/** Options of {@link loadInjectionDataset}; all optional. */
export interface DatasetOptions {
  /** Seed of every random choice. Default 1. */
  seed?: number;
  /** Training insertions of each attack string into random training documents. Default 6. */
  trainInsertions?: number;
  /** Held-out insertions of each attack string into random held-out documents. Default 4. */
  heldOutInsertions?: number;
  /** Fraction of documents, attack strings and rows held out. Default 0.35. */
  heldOutFraction?: number;
  /** Whole attack categories held out per attack file. Default 2. */
  heldOutCategoriesPerFile?: number;
  /**
   * Extra benign text (negatives), split like the rows: JSON files holding an array of strings or of
   * objects with `full_text`, `text` or `prompt`; text or markdown files; folders, whose `*.md` /
   * `*.txt` files and `*\/README.md` files are read. Default none.
   */
  background?: readonly string[];
}

const contextRow = z.object({ context: z.union([z.string(), z.array(z.string())]) }).passthrough();
const attackFile = z.record(z.string(), z.array(z.string()));
const promptRows = z.array(z.object({ prompt: z.string(), label: z.number().optional() }).passthrough());
const notInjectRows = z.array(
  z.object({ prompt: z.string(), category: z.string().optional() }).passthrough(),
);
const userRow = z.object({
  text: z.string(),
  label: z.union([z.literal(0), z.literal(1)]),
  group: z.string().optional(),
});

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileUnreadableError(path, e);
  }
}

function parse<T>(path: string, schema: z.ZodType<T>, jsonl: boolean): T {
  const raw = readText(path);
  let value: unknown;
  try {
    value = jsonl
      ? raw
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown)
      : JSON.parse(raw);
  } catch (e) {
    throw new InvalidArgumentError(
      '--data',
      `${path} is not valid JSON${jsonl ? ' Lines' : ''}: ${(e as Error).message}`,
    );
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InvalidArgumentError(
      '--data',
      `${path} does not have the expected shape (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}); see docs/guardrails-injection.md`,
    );
  }
  return r.data;
}

/** Inserts `attack` at a random whitespace position (or an end) of `doc`; returns the text and span. */
function insert(
  doc: string,
  attack: string,
  lineMode: boolean,
  rand: SeededRandom,
): { text: string; span: { start: number; end: number } } {
  const cuts = [0, doc.length];
  const ws = lineMode ? /\n/g : /\s+/g;
  for (let m = ws.exec(doc); m; m = ws.exec(doc)) cuts.push(m.index);
  const at = cuts[rand.below(cuts.length)]!;
  const sep = lineMode ? '\n' : ' ';
  const before = `${doc.slice(0, at)}${sep}`;
  return {
    text: `${before}${attack}${sep}${doc.slice(at)}`,
    span: { start: before.length, end: before.length + attack.length },
  };
}

/** True when `key` falls in the held-out fraction for this seed (stable per key, not per order). */
function heldOutKey(key: string, seed: number, fraction: number): boolean {
  let h = seed | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (mixHash(h) >>> 0) / 4294967296 < fraction;
}

/** Splits `xs` into (train, held-out) with `fraction` of them held out, by a seeded shuffle. */
function splitList<T>(xs: readonly T[], fraction: number, rand: SeededRandom): [T[], T[]] {
  const shuffled = rand.shuffle(xs);
  const k = Math.round(xs.length * fraction);
  return [shuffled.slice(k), shuffled.slice(0, k)];
}

interface Attack {
  text: string;
  category: string;
  heldOut?: 'string' | 'category';
}

function splitAttacks(file: Record<string, string[]>, opts: Required<DatasetOptions>, rand: SeededRandom) {
  const categories = Object.keys(file).sort();
  const wholeOut = new Set(rand.shuffle(categories).slice(0, opts.heldOutCategoriesPerFile));
  const train: Attack[] = [];
  const heldOut: Attack[] = [];
  for (const category of categories) {
    const list = file[category]!;
    if (wholeOut.has(category)) {
      heldOut.push(...list.map((text) => ({ text, category, heldOut: 'category' as const })));
      continue;
    }
    const [tr, ho] = splitList(list, opts.heldOutFraction, rand);
    train.push(...tr.map((text) => ({ text, category })));
    heldOut.push(...ho.map((text) => ({ text, category, heldOut: 'string' as const })));
  }
  return { train, heldOut, wholeOut: [...wholeOut].sort() };
}

const backgroundRows = z.array(
  z.union([
    z.string(),
    z
      .object({
        full_text: z.string().optional(),
        text: z.string().optional(),
        prompt: z.string().optional(),
      })
      .passthrough(),
  ]),
);

/** Benign texts of a background path (see {@link DatasetOptions.background}), each with a stable name. */
function readBackground(path: string): Array<{ name: string; text: string }> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new FileUnreadableError(path, e);
  }
  if (!isDir) {
    if (!path.endsWith('.json')) return [{ name: basename(path), text: readText(path) }];
    return parse(path, backgroundRows, false).flatMap((r, i) => {
      const text = typeof r === 'string' ? r : (r.full_text ?? r.text ?? r.prompt);
      return text === undefined ? [] : [{ name: `${basename(path)}#${i}`, text }];
    });
  }
  const out: Array<{ name: string; text: string }> = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (/\.(?:md|txt)$/i.test(name)) out.push({ name, text: readText(full) });
    else if (existsSync(join(full, 'README.md'))) out.push({ name, text: readText(join(full, 'README.md')) });
  }
  return out;
}

/**
 * Reads `dir` and builds the seeded train / held-out split. Throws FileUnreadableError for an
 * unreadable folder or file and InvalidArgumentError (argument `--data`) for malformed content or a
 * folder with no usable file.
 */
export function loadInjectionDataset(dir: string, options: DatasetOptions = {}): InjectionDataset {
  const opts: Required<DatasetOptions> = {
    seed: options.seed ?? 1,
    trainInsertions: options.trainInsertions ?? 6,
    heldOutInsertions: options.heldOutInsertions ?? 4,
    heldOutFraction: options.heldOutFraction ?? 0.35,
    heldOutCategoriesPerFile: options.heldOutCategoriesPerFile ?? 2,
    background: options.background ?? [],
  };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new FileUnreadableError(dir, e);
  }
  const rand = seededRandom(opts.seed);
  const has = (f: string): boolean => existsSync(join(dir, f));
  const train: LabelledText[] = [];
  const heldOut: LabelledText[] = [];
  const heldOutCategories: string[] = [];
  const put = (s: LabelledText, out: boolean): void => {
    (out ? heldOut : train).push(out ? { ...s, heldOut: s.heldOut ?? 'row' } : s);
  };

  const docs = (f: string, name: string) => {
    if (!has(f)) return { train: [] as string[], heldOut: [] as string[] };
    const rows = parse(join(dir, f), z.array(contextRow), true);
    const texts = rows.map((r) => (Array.isArray(r.context) ? r.context.join('\n') : r.context));
    const [tr, ho] = splitList(texts, opts.heldOutFraction, rand);
    for (const text of tr) put({ text, label: 0, set: name, category: '-' }, false);
    for (const text of ho) put({ text, label: 0, set: name, category: '-' }, true);
    return { train: tr, heldOut: ho };
  };
  const emails = docs('bipia_email_train.jsonl', 'bipia-email');
  const codes = docs('bipia_code_train.jsonl', 'bipia-code');

  const attacks = (f: string, into: typeof emails, other: typeof emails, set: string, lineMode: boolean) => {
    if (!has(f)) return;
    const split = splitAttacks(parse(join(dir, f), attackFile, false), opts, rand);
    heldOutCategories.push(...split.wholeOut);
    const place = (a: Attack, pool: string[], k: number, out: boolean, name: string, line: boolean) => {
      for (let i = 0; i < k && pool.length > 0; i++) {
        const { text, span } = insert(pool[rand.below(pool.length)]!, a.text, line, rand);
        put(
          {
            text,
            span,
            label: 1,
            set: name,
            category: a.category,
            ...(a.heldOut ? { heldOut: a.heldOut } : {}),
          },
          out,
        );
      }
    };
    for (const a of split.train) {
      // The bare string too: injections also arrive on their own (a tool result, a short message).
      put(
        {
          text: a.text,
          span: { start: 0, end: a.text.length },
          label: 1,
          set: `${set}:bare`,
          category: a.category,
        },
        false,
      );
      place(a, into.train, opts.trainInsertions, false, set, lineMode);
      place(a, other.train, 1, false, 'crossed', !lineMode);
    }
    for (const a of split.heldOut) {
      place(a, into.heldOut, opts.heldOutInsertions, true, set, lineMode);
      place(a, other.heldOut, 1, true, 'crossed', !lineMode);
    }
  };
  attacks('bipia_text_attack_train.json', emails, codes, 'bipia-text→email', false);
  attacks('bipia_code_attack_train.json', codes, emails, 'bipia-code→code', true);

  if (has('injecguard_valid.json')) {
    for (const r of parse(join(dir, 'injecguard_valid.json'), promptRows, false)) {
      const label = r.label === 1 ? 1 : 0;
      const s: LabelledText = { text: r.prompt, label, set: 'injecguard-valid', category: '-' };
      put(s, heldOutKey(r.prompt, opts.seed, opts.heldOutFraction));
    }
  }
  if (has('injecguard_NotInject_one.json')) {
    for (const r of parse(join(dir, 'injecguard_NotInject_one.json'), notInjectRows, false)) {
      const s: LabelledText = { text: r.prompt, label: 0, set: 'notinject', category: r.category ?? '-' };
      put(s, heldOutKey(r.prompt, opts.seed, opts.heldOutFraction));
    }
  }
  for (const f of names.filter((n) => n.endsWith('.labelled.jsonl'))) {
    for (const r of parse(join(dir, f), z.array(userRow), true)) {
      const s: LabelledText = { text: r.text, label: r.label, set: 'user', category: f };
      put(s, heldOutKey(r.group ?? r.text, opts.seed, opts.heldOutFraction));
    }
  }
  for (const path of opts.background) {
    for (const b of readBackground(path)) {
      const s: LabelledText = {
        text: b.text,
        label: 0,
        set: `background:${basename(path)}`,
        category: b.name,
      };
      put(s, heldOutKey(b.name, opts.seed, opts.heldOutFraction));
    }
  }
  if (!train.some((s) => s.label === 1) || !train.some((s) => s.label === 0)) {
    throw new InvalidArgumentError(
      '--data',
      `${dir} yields no training positives or no negatives; it needs the BIPIA/InjecGuard files or *.labelled.jsonl files with both labels (docs/guardrails-injection.md)`,
    );
  }
  return { train, heldOut, heldOutCategories: heldOutCategories.sort() };
}
