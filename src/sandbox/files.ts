/**
 * The files API of a sandbox: write, read (text, bytes, stream), list, exists, info, mkdir,
 * rename, remove, watch. Everything happens from the host through {@link ConfinedResolver}, so
 * `..`, host paths and symlinks that point out of /home/user, /workspace and /tmp are refused with
 * a clear error, and a file the sandbox swaps for a symlink mid-operation is never followed.
 */
import { constants, watch as fsWatch, type FSWatcher } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rmdir,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { posix } from 'node:path';
import { PathRefusedError, SandboxFileError } from '../errors.js';
import { at, ConfinedResolver, fileError, isWritableRoot, sandboxPath } from './confined-path.js';

/** What the files API reports about an entry. */
export interface EntryInfo {
  name: string;
  /** Absolute path inside the sandbox. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** `rwxr-xr-x` form. */
  permissions: string;
  modifiedTime: Date;
  /** For symlinks: where it points (as stored in the link). */
  symlinkTarget?: string;
}

/** A change seen by {@link SandboxFiles.watchDir}. */
export interface FilesystemEvent {
  name: string;
  type: 'create' | 'write' | 'remove';
}

/** A running watch. */
export interface WatchHandle {
  stop(): Promise<void>;
}

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

function perms(mode: number): string {
  const bits = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

/**
 * @example
 * await sandbox.files.write('/workspace/app.py', 'print(1)\n');
 * await sandbox.files.read('/workspace/app.py');           // 'print(1)\n'
 * await sandbox.files.read('../../etc/shadow');            // PathRefusedError
 */
export class SandboxFiles {
  private readonly resolver: ConfinedResolver;

  /**
   * @param fsRoot host directory holding home/user, workspace and tmp.
   * @param hostUid the sandbox's host uid: new files and directories are owned by it.
   */
  constructor(
    fsRoot: string,
    private readonly hostUid: number,
  ) {
    this.resolver = new ConfinedResolver(fsRoot);
  }

  private chownNew = async (h: FileHandle): Promise<void> => {
    await h.chown(this.hostUid, this.hostUid);
  };

  /** Write text or bytes, creating parent directories. Writes through a symlink that stays inside. */
  async write(path: string, data: string | Uint8Array): Promise<EntryInfo> {
    const loc = await this.resolver.locate(path, true, true, this.chownNew);
    let file: FileHandle | undefined;
    try {
      file = await openAt(loc.parent, loc.name, WRITE_FLAGS, 0o644);
      const st = await file.stat();
      if (!st.isFile()) throw new SandboxFileError(path, 'EISDIR', 'is not a regular file');
      // The only files in the tree the sandbox does not own are the empty ones just created here;
      // anything else (a hard link to a file of someone else) is never written.
      const fresh = st.uid === 0 && st.size === 0 && st.nlink === 1;
      if (st.uid !== this.hostUid && !fresh) {
        throw new SandboxFileError(path, 'EPERM', 'the file is not owned by the sandbox user');
      }
      await file.chown(this.hostUid, this.hostUid);
      await file.truncate(0);
      await file.writeFile(data);
      return await this.infoOf(loc.parent, loc.name, loc.path);
    } catch (err) {
      throw fileError(path, err);
    } finally {
      await file?.close();
      await loc.parent.close();
    }
  }

  /** Read a file as text (default), bytes, or a stream. */
  read(path: string, opts?: { format?: 'text' }): Promise<string>;
  read(path: string, opts: { format: 'bytes' }): Promise<Uint8Array>;
  read(path: string, opts: { format: 'stream' }): Promise<Readable>;
  async read(
    path: string,
    opts: { format?: 'text' | 'bytes' | 'stream' } = {},
  ): Promise<string | Uint8Array | Readable> {
    const loc = await this.resolver.locate(path, true);
    let file: FileHandle | undefined;
    try {
      file = await openAt(loc.parent, loc.name, READ_FLAGS);
      if ((await file.stat()).isDirectory()) throw new SandboxFileError(path, 'EISDIR', 'is a directory');
      if (opts.format === 'stream') {
        const stream = file.createReadStream();
        file = undefined; // the stream closes it
        return stream;
      }
      const buf = await file.readFile();
      return opts.format === 'bytes' ? new Uint8Array(buf) : buf.toString('utf8');
    } catch (err) {
      throw fileError(path, err);
    } finally {
      await file?.close();
      await loc.parent.close();
    }
  }

  /** Entries of a directory (depth 1 by default; deeper levels follow no symlinks). */
  async list(path: string, opts: { depth?: number } = {}): Promise<EntryInfo[]> {
    const { path: real, dir } = await this.resolver.openDir(path);
    try {
      return await this.listDir(dir, real, Math.max(1, opts.depth ?? 1));
    } catch (err) {
      throw fileError(path, err);
    } finally {
      await dir.close();
    }
  }

  private async listDir(dir: FileHandle, dirPath: string, depth: number): Promise<EntryInfo[]> {
    const out: EntryInfo[] = [];
    for (const name of (await readdir(at(dir))).sort()) {
      const info = await this.infoOf(dir, name, posix.join(dirPath, name));
      out.push(info);
      if (info.type === 'dir' && depth > 1) {
        const sub = await openAt(
          dir,
          name,
          constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
        );
        try {
          out.push(...(await this.listDir(sub, info.path, depth - 1)));
        } finally {
          await sub.close();
        }
      }
    }
    return out;
  }

  /** Whether a path exists (symlinks resolved inside the sandbox). Refused paths still throw. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.getInfo(path, true);
      return true;
    } catch (err) {
      if (err instanceof SandboxFileError && (err.reason === 'ENOENT' || err.reason === 'ENOTDIR'))
        return false;
      throw err;
    }
  }

  /** Information about an entry; a symlink is described itself unless `follow` is set. */
  async getInfo(path: string, follow = false): Promise<EntryInfo> {
    const loc = await this.resolver.locate(path, follow);
    try {
      return await this.infoOf(loc.parent, loc.name, loc.path);
    } catch (err) {
      throw fileError(path, err);
    } finally {
      await loc.parent.close();
    }
  }

  /** Create a directory and its parents. Resolves false when it already existed. */
  async makeDir(path: string): Promise<boolean> {
    const loc = await this.resolver.locate(path, true, true, this.chownNew);
    try {
      await mkdir(at(loc.parent, loc.name), { mode: 0o755 });
      const d = await openAt(
        loc.parent,
        loc.name,
        constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
      );
      await this.chownNew(d).finally(() => d.close());
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fileError(path, err);
    } finally {
      await loc.parent.close();
    }
  }

  /** Rename (move) an entry inside the sandbox. */
  async rename(from: string, to: string): Promise<EntryInfo> {
    refuseRoot(from);
    refuseRoot(to);
    const a = await this.resolver.locate(from, false);
    let b;
    try {
      b = await this.resolver.locate(to, false);
      await rename(at(a.parent, a.name), at(b.parent, b.name));
      return await this.infoOf(b.parent, b.name, b.path);
    } catch (err) {
      throw fileError(b ? to : from, err);
    } finally {
      await a.parent.close();
      await b?.parent.close();
    }
  }

  /** Remove a file, a symlink (not what it points to) or a directory with its contents. */
  async remove(path: string): Promise<void> {
    refuseRoot(path);
    const loc = await this.resolver.locate(path, false);
    try {
      const st = await lstat(at(loc.parent, loc.name));
      if (st.isDirectory()) await removeTree(loc.parent, loc.name);
      else await unlink(at(loc.parent, loc.name));
    } catch (err) {
      throw fileError(path, err);
    } finally {
      await loc.parent.close();
    }
  }

  /**
   * Watch a directory (not recursive) for entries created, written or removed.
   * @example const w = await sandbox.files.watchDir('/workspace', (e) => console.log(e)); await w.stop();
   */
  async watchDir(path: string, onEvent: (e: FilesystemEvent) => void): Promise<WatchHandle> {
    const { dir } = await this.resolver.openDir(path);
    let watcher: FSWatcher;
    try {
      // inotify binds to the directory itself, which is the one open here: later swaps of the path
      // do not redirect the watch.
      watcher = fsWatch(at(dir), { persistent: false }, (kind, name) => {
        if (!name) return;
        const file = String(name);
        if (kind === 'change') onEvent({ name: file, type: 'write' });
        else
          lstat(at(dir, file)).then(
            () => onEvent({ name: file, type: 'create' }),
            () => onEvent({ name: file, type: 'remove' }),
          );
      });
      watcher.on('error', () => undefined);
    } catch (err) {
      await dir.close();
      throw fileError(path, err);
    }
    return {
      async stop() {
        watcher.close();
        await dir.close();
      },
    };
  }

  private async infoOf(dir: FileHandle, name: string, path: string): Promise<EntryInfo> {
    const st = await lstat(at(dir, name));
    const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    const info: EntryInfo = {
      name,
      path,
      type,
      size: st.size,
      mode: st.mode & 0o7777,
      permissions: perms(st.mode & 0o777),
      modifiedTime: st.mtime,
    };
    if (type === 'symlink') {
      info.symlinkTarget = await readlink(at(dir, name));
    }
    return info;
  }
}

function refuseRoot(path: string): void {
  const abs = sandboxPath(path);
  if (isWritableRoot(abs)) throw new PathRefusedError(path, `${abs} itself cannot be renamed or removed`);
}

function openAt(dir: FileHandle, name: string, flags: number, mode?: number): Promise<FileHandle> {
  return open(at(dir, name), flags, mode);
}

/** rm -r below an open directory, never following a symlink. */
async function removeTree(parent: FileHandle, name: string, attempt = 0): Promise<void> {
  const dir = await openAt(parent, name, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    for (const e of await readdir(at(dir), { withFileTypes: true })) {
      if (e.isDirectory()) await removeTree(dir, e.name);
      else await unlink(at(dir, e.name));
    }
  } finally {
    await dir.close();
  }
  try {
    await rmdir(at(parent, name));
  } catch (err) {
    // Entries created meanwhile by a command in the sandbox: another descriptor-relative pass.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 3) throw err;
    await removeTree(parent, name, attempt + 1);
  }
}

export { sandboxPath };
