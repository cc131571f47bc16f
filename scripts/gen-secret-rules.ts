/**
 * Generates src/content/pii/secret-rules/gitleaks-rules.ts from gitleaks' config/gitleaks.toml.
 *
 *   npx tsx scripts/gen-secret-rules.ts [--input path/to/gitleaks.toml] [--output path/to/out.ts]
 *
 * Every rule is compiled with RE2 here, the engine the runtime uses; rules RE2 cannot compile, rules that
 * only apply to certain file names and rules without a pattern are left out, each with a printed reason.
 * The output keeps gitleaks' MIT licence notice, as the licence requires.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import prettier from 'prettier';
import RE2 from 're2';
import { parse } from 'smol-toml';
import type {
  GlobalSecretAllowlistSpec,
  SecretAllowlistSpec,
  SecretAllowlistTarget,
  SecretRuleSpec,
} from '../src/content/pii/secret-rules/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const GITLEAKS_LICENSE = `MIT License

Copyright (c) 2019 Zachary Rice

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

interface RawAllowlist {
  description?: string;
  condition?: string;
  regexTarget?: string;
  regexes?: string[];
  stopwords?: string[];
  paths?: string[];
  commits?: string[];
}

interface RawRule {
  id?: string;
  description?: string;
  regex?: string;
  path?: string;
  entropy?: number;
  secretGroup?: number;
  keywords?: string[];
  allowlists?: RawAllowlist[];
  allowlist?: RawAllowlist;
}

interface RawConfig {
  minVersion?: string;
  allowlist?: RawAllowlist;
  rules?: RawRule[];
}

/** Why a rule or allowlist was left out; thrown inside conversion and printed by the caller. */
class Skip extends Error {}

function compileOrSkip(pattern: string, what: string): RE2 {
  try {
    return new RE2(pattern, 'g');
  } catch (err) {
    throw new Skip(`${what}: RE2 cannot compile it (${err instanceof Error ? err.message : String(err)})`);
  }
}

function groupCount(pattern: string): number {
  const probe = new RE2(`(?:${pattern})|`, '').exec('');
  return probe ? probe.length - 1 : 0;
}

function convertAllowlist(
  ruleId: string,
  raw: RawAllowlist,
  notes: string[],
): SecretAllowlistSpec | undefined {
  const condition = (raw.condition ?? 'OR').toUpperCase() === 'AND' ? 'AND' : 'OR';
  const hasPaths = (raw.paths?.length ?? 0) > 0 || (raw.commits?.length ?? 0) > 0;
  if (hasPaths && condition === 'AND') {
    notes.push(
      `${ruleId}: dropped an allowlist that also requires a file path or commit (bodies have neither)`,
    );
    return undefined;
  }
  const regexes = raw.regexes ?? [];
  const stopwords = (raw.stopwords ?? []).map((w) => w.toLowerCase());
  if (regexes.length === 0 && stopwords.length === 0) {
    if (hasPaths) notes.push(`${ruleId}: dropped a path-only allowlist (bodies have no file path)`);
    return undefined;
  }
  regexes.forEach((r, i) => compileOrSkip(r, `allowlist regex #${i + 1}`));
  const target = (raw.regexTarget ?? 'secret') as SecretAllowlistTarget;
  if (!['secret', 'match', 'line'].includes(target))
    throw new Skip(`unknown allowlist regexTarget "${target}"`);
  return { target, regexes, stopwords, condition };
}

function convertRule(raw: RawRule, notes: string[]): SecretRuleSpec {
  const id = raw.id ?? '(no id)';
  if (!raw.regex) throw new Skip('no regex: the rule matches file names only, and bodies have no file name');
  if (raw.path) throw new Skip(`applies only to files matching ${raw.path}; bodies have no file name`);
  const re = compileOrSkip(raw.regex, 'regex');
  if (re.test('')) throw new Skip('regex matches the empty string');
  const groups = groupCount(raw.regex);
  if (raw.secretGroup !== undefined && raw.secretGroup > groups) {
    throw new Skip(`secretGroup ${raw.secretGroup} but the regex has only ${groups} groups`);
  }
  const keywords = [...new Set((raw.keywords ?? []).map((k) => k.toLowerCase()).filter((k) => k.length > 0))];
  if (keywords.length === 0) throw new Skip('no keywords: without a prefilter it would run on every body');
  const lists = [...(raw.allowlists ?? []), ...(raw.allowlist ? [raw.allowlist] : [])];
  const allowlists = lists
    .map((a) => convertAllowlist(id, a, notes))
    .filter((a): a is SecretAllowlistSpec => a !== undefined);
  return {
    id,
    description: raw.description ?? id,
    regex: raw.regex,
    keywords,
    ...(raw.entropy ? { entropy: raw.entropy } : {}),
    ...(raw.secretGroup ? { secretGroup: raw.secretGroup } : {}),
    ...(allowlists.length > 0 ? { allowlists } : {}),
  };
}

function convertGlobal(raw: RawAllowlist | undefined): GlobalSecretAllowlistSpec {
  const regexes = (raw?.regexes ?? []).filter((r) => {
    try {
      compileOrSkip(r, 'global allowlist regex');
      return true;
    } catch (err) {
      process.stdout.write(`skip global allowlist regex ${r}: ${(err as Error).message}\n`);
      return false;
    }
  });
  return { regexes, stopwords: (raw?.stopwords ?? []).map((w) => w.toLowerCase()) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string', default: resolve(repoRoot, '../shared/datasets/secrets/gitleaks.toml') },
      output: {
        type: 'string',
        default: resolve(repoRoot, 'src/content/pii/secret-rules/gitleaks-rules.ts'),
      },
    },
  });
  const input = resolve(values.input);
  const output = resolve(values.output);
  const source = readFileSync(input, 'utf8');
  const config = parse(source) as RawConfig;
  const rules: SecretRuleSpec[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  for (const raw of config.rules ?? []) {
    try {
      rules.push(convertRule(raw, notes));
    } catch (err) {
      if (!(err instanceof Skip)) throw err;
      skipped.push(`${raw.id ?? '(no id)'}: ${err.message}`);
    }
  }
  const global = convertGlobal(config.allowlist);
  const sha256 = createHash('sha256').update(source).digest('hex');

  const header = [
    '// GENERATED by scripts/gen-secret-rules.ts from gitleaks config/gitleaks.toml. Do not edit by hand:',
    '// change the generator or declaw-rules.ts and run `npx tsx scripts/gen-secret-rules.ts`.',
    '//',
    '// The rules below are derived from gitleaks (https://github.com/gitleaks/gitleaks), used under its',
    '// MIT licence, reproduced here as the licence requires:',
    '//',
    ...GITLEAKS_LICENSE.split('\n').map((l) => (l ? `// ${l}` : '//')),
  ].join('\n');
  const body = `${header}

import type { GlobalSecretAllowlistSpec, SecretRuleSpec } from './types.js';

/** Where these rules came from, so a regeneration can be checked against the same input. */
export const GITLEAKS_RULES_SOURCE = ${JSON.stringify({
    project: 'https://github.com/gitleaks/gitleaks',
    file: 'config/gitleaks.toml',
    minVersion: config.minVersion ?? 'unknown',
    sha256,
    rulesInSource: config.rules?.length ?? 0,
    rulesKept: rules.length,
  })} as const;

/** gitleaks' global allowlist (file-path entries left out: bodies have no file name). */
export const GITLEAKS_GLOBAL_ALLOWLIST: GlobalSecretAllowlistSpec = ${JSON.stringify(global)};

/** The gitleaks rules RE2 compiles and that apply to bodies (see the generator for what was left out). */
export const GITLEAKS_RULES: readonly SecretRuleSpec[] = ${JSON.stringify(rules)};
`;
  // Format with the repository's prettier settings wherever the output goes.
  const options =
    (await prettier.resolveConfig(resolve(repoRoot, 'src/content/pii/secret-rules/gitleaks-rules.ts'))) ?? {};
  const formatted = await prettier.format(body, { ...options, filepath: output });
  writeFileSync(output, formatted);

  for (const s of skipped) process.stdout.write(`skip ${s}\n`);
  for (const n of notes) process.stdout.write(`note ${n}\n`);
  process.stdout.write(
    `wrote ${relative(process.cwd(), output)}: ${rules.length} of ${config.rules?.length ?? 0} rules, ` +
      `${skipped.length} skipped\n`,
  );
}

await main();
