import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  linkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SandboxFiles, type FilesystemEvent } from '../../../src/sandbox/files.js';
import { PathRefusedError, SandboxFileError } from '../../../src/errors.js';
import { requireRoot } from '../../helpers/root.js';

const isRoot = process.getuid?.() === 0;
const UID = isRoot ? 1_200_999_001 : (process.getuid?.() ?? 1000);

/** A sandbox tree like the jail's: home/user, workspace, tmp, plus a "host" secret next to it. */
function tree() {
  const base = mkdtempSync(join(tmpdir(), 'declaw-files-'));
  const fsRoot = join(base, 'fs');
  for (const d of ['home/user', 'workspace', 'tmp']) mkdirSync(join(fsRoot, d), { recursive: true });
  const secret = join(base, 'host-secret');
  writeFileSync(secret, 'HOST SECRET');
  return { base, fsRoot, secret, files: new SandboxFiles(fsRoot, UID) };
}

test('write creates parents, read returns text and bytes, list and info describe entries', async () => {
  const { fsRoot, files } = tree();
  const info = await files.write('/workspace/a/b/hello.txt', 'héllo\n');
  assert.equal(info.type, 'file');
  assert.equal(info.path, '/workspace/a/b/hello.txt');
  assert.equal(readFileSync(join(fsRoot, 'workspace/a/b/hello.txt'), 'utf8'), 'héllo\n');
  assert.equal(await files.read('/workspace/a/b/hello.txt'), 'héllo\n');
  assert.deepEqual(
    await files.read('/workspace/a/b/hello.txt', { format: 'bytes' }),
    new Uint8Array(Buffer.from('héllo\n')),
  );
  await files.write('notes.md', new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await files.read('/home/user/notes.md', { format: 'bytes' }))], [1, 2, 3]);
  const listed = await files.list('/workspace', { depth: 3 });
  assert.deepEqual(
    listed.map((e) => `${e.type} ${e.path}`),
    ['dir /workspace/a', 'dir /workspace/a/b', 'file /workspace/a/b/hello.txt'],
  );
  const chunks: Buffer[] = [];
  for await (const c of await files.read('/workspace/a/b/hello.txt', { format: 'stream' }))
    chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'héllo\n');
});

test('files written from the host belong to the sandbox user', async (t) => {
  if (!requireRoot(t, 'chown to the sandbox uid')) return;
  const { fsRoot, files } = tree();
  await files.write('/workspace/dir/x.txt', 'x');
  assert.equal(statSync(join(fsRoot, 'workspace/dir/x.txt')).uid, UID);
  assert.equal(statSync(join(fsRoot, 'workspace/dir')).uid, UID);
  await files.makeDir('/tmp/m/n');
  assert.equal(statSync(join(fsRoot, 'tmp/m/n')).uid, UID);
});

test('exists, makeDir, rename and remove behave like a filesystem', async () => {
  const { files } = tree();
  assert.equal(await files.exists('/workspace/nope'), false);
  assert.equal(await files.makeDir('/workspace/d/e'), true);
  assert.equal(await files.makeDir('/workspace/d/e'), false);
  await files.write('/workspace/d/e/f.txt', 'f');
  const moved = await files.rename('/workspace/d', '/tmp/d2');
  assert.equal(moved.path, '/tmp/d2');
  assert.equal(await files.read('/tmp/d2/e/f.txt'), 'f');
  assert.equal(await files.exists('/workspace/d'), false);
  await files.remove('/tmp/d2');
  assert.equal(await files.exists('/tmp/d2'), false);
  await assert.rejects(
    files.read('/tmp/d2/e/f.txt'),
    (e: unknown) => e instanceof SandboxFileError && e.reason === 'ENOENT',
  );
  await assert.rejects(files.read('/workspace'), /is a directory/);
});

test('".." and host paths are refused with an error that says which paths are allowed', async () => {
  const { files } = tree();
  for (const p of [
    '../../etc/passwd',
    '/workspace/../../etc/shadow',
    '/etc/passwd',
    '/root/.ssh/id_rsa',
    '/',
    '/home',
    '/proc/1/environ',
    'a\0b',
  ]) {
    await assert.rejects(
      files.read(p),
      (e: unknown) => e instanceof PathRefusedError && /\/home\/user, \/workspace or \/tmp/.test(e.message),
      p,
    );
  }
  await assert.rejects(files.write('/usr/bin/python3', 'x'), PathRefusedError);
  await assert.rejects(files.remove('/workspace'), /cannot be renamed or removed/);
});

test('symlinks that point out of the sandbox are refused for every operation; inside ones work', async () => {
  const { fsRoot, secret, files } = tree();
  symlinkSync('/etc/passwd', join(fsRoot, 'workspace/abs-out'));
  // A host path in a link means the same path in the sandbox's own view, never the host's file.
  symlinkSync(secret, join(fsRoot, 'workspace/host-path'));
  symlinkSync('../../../host-secret', join(fsRoot, 'workspace/rel-out'));
  symlinkSync('/etc', join(fsRoot, 'workspace/etc-dir'));
  symlinkSync('/tmp', join(fsRoot, 'workspace/tmp-link'));
  symlinkSync('../tmp/inside.txt', join(fsRoot, 'workspace/rel-in'));
  for (const p of ['/workspace/abs-out', '/workspace/rel-out', '/workspace/etc-dir/passwd']) {
    await assert.rejects(
      files.read(p),
      (e: unknown) => e instanceof PathRefusedError && /points outside/.test(e.message),
      p,
    );
    await assert.rejects(files.write(p, 'pwned'), PathRefusedError, p);
  }
  await assert.rejects(files.list('/workspace/etc-dir'), PathRefusedError);
  await assert.rejects(files.write('/workspace/etc-dir/x/y', 'pwned'), PathRefusedError);
  await assert.rejects(files.read('/workspace/host-path'), (e: unknown) =>
    secret.startsWith('/tmp/')
      ? e instanceof SandboxFileError && e.reason === 'ENOENT'
      : e instanceof PathRefusedError,
  );
  assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET');
  // Inside the sandbox, symlinks resolve in the sandbox's own view: /tmp is the sandbox's /tmp.
  await files.write('/workspace/tmp-link/via-link.txt', 'ok');
  assert.equal(readFileSync(join(fsRoot, 'tmp/via-link.txt'), 'utf8'), 'ok');
  await files.write('/workspace/rel-in', 'in');
  assert.equal(await files.read('/tmp/inside.txt'), 'in');
  // Removing a symlink removes the link, never its target.
  await files.remove('/workspace/abs-out');
  assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET');
  const info = await files.getInfo('/workspace/rel-out');
  assert.equal(info.type, 'symlink');
});

test('a hard link to a file the sandbox does not own is never written', async (t) => {
  if (!requireRoot(t, 'ownership checks need a distinct sandbox uid')) return;
  const { fsRoot, base, files } = tree();
  const victim = join(base, 'fs', 'victim');
  writeFileSync(victim, 'root-owned');
  linkSync(victim, join(fsRoot, 'workspace/hard'));
  await assert.rejects(files.write('/workspace/hard', 'pwned'), /not owned by the sandbox user/);
  assert.equal(readFileSync(victim, 'utf8'), 'root-owned');
});

test('arbitrary relative paths never reach outside the tree', async () => {
  const { base, files } = tree();
  const segment = fc.constantFrom('..', '.', 'a', 'b', '', 'workspace', 'tmp', 'etc', 'host-secret');
  await fc.assert(
    fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), async (segs, abs) => {
      const p = (abs ? '/' : '') + segs.join('/');
      try {
        await files.write(p, 'probe');
      } catch (e) {
        assert.ok(e instanceof PathRefusedError || e instanceof SandboxFileError, String(e));
      }
    }),
    { numRuns: 300 },
  );
  assert.equal(readFileSync(join(base, 'host-secret'), 'utf8'), 'HOST SECRET');
  assert.equal(existsSync(join(base, 'probe')), false);
});

test('watchDir reports files created, written and removed', async () => {
  const { files } = tree();
  const events: FilesystemEvent[] = [];
  const w = await files.watchDir('/workspace', (e) => events.push(e));
  try {
    await files.write('/workspace/w.txt', 'one');
    await files.remove('/workspace/w.txt');
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'remove'); i++)
      await new Promise((r) => setTimeout(r, 10));
  } finally {
    await w.stop();
  }
  assert.ok(
    events.some((e) => e.name === 'w.txt' && e.type === 'create'),
    JSON.stringify(events),
  );
  assert.ok(events.some((e) => e.name === 'w.txt' && e.type === 'write'));
  assert.ok(events.some((e) => e.name === 'w.txt' && e.type === 'remove'));
});
