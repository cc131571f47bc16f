import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a file shipped in the declaw package (`data/`, `examples/`, `NOTICE`), found
 * the same way whether the code runs from `src/` (tsx, tests) or from `dist/src/` (the built package):
 * by walking up to the directory whose package.json is declaw's.
 *
 * @throws {Error} when no declaw package.json is found above this module (a broken install).
 * @example
 * readFileSync(packageFilePath('examples/demo/agent.py'), 'utf8');
 */
export function packageFilePath(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isDeclawManifest(manifest)) return join(dir, relative);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        `declaw's package.json was not found above ${fileURLToPath(import.meta.url)}; reinstall declaw`,
      );
    dir = parent;
  }
}

function isDeclawManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'declaw';
  } catch {
    return false;
  }
}
