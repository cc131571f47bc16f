/**
 * Path resolution for the files API, done from the host without ever following a path the sandbox
 * controls. The sandbox's writable tree is walked one component at a time, each directory held open
 * as a file descriptor, and the next component opened relative to it through /proc/self/fd/<fd>/<name>
 * with O_NOFOLLOW: the equivalent of openat(2) for Node. A symlink is never followed by the kernel;
 * its target is read and resolved here against the sandbox's own view of the filesystem, and refused
 * when it leaves the writable tree. Swapping a directory for a symlink between two steps cannot make
 * declaw (running as root) touch a host file: every step is relative to a descriptor already open.
 */
import { constants } from 'node:fs';
import { mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { PathRefusedError, SandboxFileError } from '../errors.js';
import { SANDBOX_HOME, WRITABLE_ROOTS } from './jail.js';

const MAX_SYMLINKS = 40;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** The /proc path that names `name` inside the directory open as `dir`. */
export function at(dir: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

/** Map a system error to a files-API error that names the sandbox path. */
export function fileError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const messages: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a component of the path is not a directory',
    EISDIR: 'is a directory',
    EEXIST: 'already exists',
    ENOTEMPTY: 'directory is not empty',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    ELOOP: 'too many levels of symbolic links',
  };
  if (err instanceof PathRefusedError || err instanceof SandboxFileError) return err;
  return new SandboxFileError(path, code, messages[code] ?? (err as Error).message);
}

/**
 * Normalise a files-API path to an absolute sandbox path inside the writable tree.
 * Relative paths are relative to /home/user, as in the hosted API.
 * @throws {PathRefusedError} for `..`, NUL bytes and paths outside /home/user, /workspace and /tmp.
 */
export function sandboxPath(input: string): string {
  if (typeof input !== 'string' || input.length === 0)
    throw new PathRefusedError(String(input), 'the path is empty');
  if (input.includes('\0')) throw new PathRefusedError(input, 'the path contains a NUL byte');
  if (input.split('/').includes('..'))
    throw new PathRefusedError(input, '".." is not allowed in sandbox paths');
  const abs =
    posix.normalize(input.startsWith('/') ? input : `${SANDBOX_HOME}/${input}`).replace(/\/+$/, '') || '/';
  if (!inWritableTree(abs)) {
    throw new PathRefusedError(
      input,
      "it is outside the sandbox's files (a host path or a read-only system path)",
    );
  }
  return abs;
}

/** Whether `abs` is one of the writable roots themselves (which can be read but not replaced). */
export function isWritableRoot(abs: string): boolean {
  return (WRITABLE_ROOTS as readonly string[]).includes(abs);
}

function inWritableTree(abs: string): boolean {
  return WRITABLE_ROOTS.some((r) => abs === r || abs.startsWith(`${r}/`));
}

/** A resolved location: the open parent directory and the final name (or the root itself). */
export interface Located {
  /** Sandbox path after symlinks in the parents were resolved. */
  path: string;
  parent: FileHandle;
  name: string;
}

/**
 * Resolves sandbox paths inside one sandbox's tree. `fsRoot` is the host directory whose
 * subdirectories home/user, workspace and tmp are the sandbox's writable roots.
 */
export class ConfinedResolver {
  constructor(private readonly fsRoot: string) {}

  /** Open a directory by sandbox path, following symlinks (resolved inside the sandbox). */
  async openDir(input: string): Promise<{ path: string; dir: FileHandle }> {
    const { path, handle } = await this.walk(sandboxPath(input), true, input);
    return { path, dir: handle };
  }

  /**
   * Open the parent of `input` and return it with the final name; symlinks in the parents are
   * resolved, the final component is not. With `followFinal`, a final symlink is resolved too.
   */
  async locate(
    input: string,
    followFinal: boolean,
    createParents = false,
    onCreate?: (d: FileHandle) => Promise<void>,
  ): Promise<Located> {
    let path = sandboxPath(input);
    for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
      const parentPath = posix.dirname(path);
      const name = posix.basename(path);
      const { path: realParent, handle } = await this.walk(parentPath, true, input, createParents, onCreate);
      if (!followFinal) return { path: posix.join(realParent, name), parent: handle, name };
      const target = await readlinkAt(handle, name);
      if (target === undefined) return { path: posix.join(realParent, name), parent: handle, name };
      await handle.close();
      path = this.resolveLink(realParent, target, input);
    }
    throw new SandboxFileError(input, 'ELOOP', 'too many levels of symbolic links');
  }

  private resolveLink(dirPath: string, target: string, input: string): string {
    const next = posix.normalize(target.startsWith('/') ? target : posix.join(dirPath, target));
    if (!inWritableTree(next)) {
      throw new PathRefusedError(
        input,
        `it goes through a symbolic link to ${target}, which points outside the sandbox's files`,
      );
    }
    return next;
  }

  /**
   * Walk from the tree root to `abs` (an absolute sandbox path in the writable tree), one component
   * at a time; returns the directory opened, and its path after symlink resolution.
   */
  private async walk(
    abs: string,
    followFinal: boolean,
    input: string,
    createMissing = false,
    onCreate?: (d: FileHandle) => Promise<void>,
    hops = 0,
  ): Promise<{ path: string; handle: FileHandle }> {
    if (hops > MAX_SYMLINKS) throw new SandboxFileError(input, 'ELOOP', 'too many levels of symbolic links');
    const parts = abs.split('/').filter(Boolean);
    let dir = await open(this.fsRoot, DIR_FLAGS);
    let here = '';
    try {
      for (const [i, part] of parts.entries()) {
        let next: FileHandle;
        try {
          next = await open(at(dir, part), DIR_FLAGS);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && createMissing && inWritableTree(`${here}/${part}`)) {
            try {
              await mkdir(at(dir, part), { mode: 0o755 });
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
            }
            next = await open(at(dir, part), DIR_FLAGS);
            await onCreate?.(next);
          } else {
            const target = code === 'ELOOP' || code === 'ENOTDIR' ? await readlinkAt(dir, part) : undefined;
            if (target === undefined || (!followFinal && i === parts.length - 1)) throw err;
            const rest = parts.slice(i + 1).join('/');
            const resolved = this.resolveLink(here || '/', target, input);
            await dir.close();
            return this.walk(
              rest ? `${resolved}/${rest}` : resolved,
              followFinal,
              input,
              createMissing,
              onCreate,
              hops + 1,
            );
          }
        }
        await dir.close();
        dir = next;
        here = `${here}/${part}`;
      }
      return { path: here || '/', handle: dir };
    } catch (err) {
      await dir.close().catch(() => undefined);
      throw fileError(input, err);
    }
  }
}

/** The target of `name` in `dir` when it is a symlink, else undefined. */
export async function readlinkAt(dir: FileHandle, name: string): Promise<string | undefined> {
  try {
    return await readlink(at(dir, name));
  } catch {
    return undefined;
  }
}
