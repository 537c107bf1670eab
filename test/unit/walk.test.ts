// workspace/files.ts walkFiles (the scan's one-readdir walk) selects exactly what listFiles (fast-glob) selects:
// on examples/, and on a synthetic tree with excludes, a .gitignore, dot directories, symbolic links and a file over
// maxFileSize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { DEFAULT_SELECTION, listFiles, readBytesWithStat, walkFiles, type FileSelection, type WalkMemo } from '../../server/src/workspace/files';

const EXAMPLES = path.resolve(__dirname, '../../examples');

async function same(root: string, sel: FileSelection = DEFAULT_SELECTION, memo?: WalkMemo) {
  const a = await listFiles(root, sel);
  const b = walkFiles(root, sel, memo);
  assert.deepEqual(b.files, a.files);
  const bySkip = (x: { file: string }, y: { file: string }) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0);
  assert.deepEqual(b.skipped, [...a.skipped].sort(bySkip));
  for (const f of b.files) {
    const st = fs.statSync(path.join(root, f));
    assert.deepEqual(b.stats.get(f), { size: st.size, mtimeMs: st.mtimeMs });
  }
  // without stats: the files over maxFileSize are listed too, and reading each says what the stat said
  const c = walkFiles(root, sel, undefined, { stats: false });
  assert.deepEqual(c.files, [...a.files, ...a.skipped.map((x) => x.file)].sort());
  assert.deepEqual([c.skipped, c.stats.size], [[], 0]);
  for (const f of c.files) {
    const st = fs.statSync(path.join(root, f));
    const r = readBytesWithStat(path.join(root, f), sel.maxFileSize);
    assert.deepEqual([r.size, r.mtimeMs], [st.size, st.mtimeMs], f);
    const skip = b.skipped.find((x) => x.file === f);
    if (skip) assert.deepEqual([(r as { reason: string }).reason, 'tooLarge' in r], [skip.reason, true], f);
    else assert.deepEqual(r, { buf: fs.readFileSync(path.join(root, f)), size: st.size, mtimeMs: st.mtimeMs }, f);
  }
  return b;
}

test('walkFiles equals listFiles on examples/', async () => {
  const b = await same(EXAMPLES);
  assert.ok(b.files.length > 5);
  for (const d of fs.readdirSync(EXAMPLES)) if (fs.statSync(path.join(EXAMPLES, d)).isDirectory()) await same(path.join(EXAMPLES, d));
});

test('walkFiles equals listFiles on a tree with excludes, .gitignore, dot directories and symlinks', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-walk-'));
  try {
    const put = (rel: string, text = 'x = 1\n') => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    for (const f of ['a.py', 'pkg/__init__.py', 'pkg/m.py', 'pkg/sub/deep/x.py', 'pkg/migrations/0001.py', 'venv/lib/y.py', '.venv/z.py', '.hidden/h.py', 'pkg/.dot.py',
      'node_modules/n.py', 'build/b.py', 'gen/keep.py', 'gen/skip_me.py', 'notes.txt', 'pkg/data.pyc', 'site-packages/s.py', 'a/migrations_not/x.py', 'big/large.py', 'weird name/ü.py']) put(f);
    put('big/huge.py', 'x = 1\n'.repeat(2000));
    put('pkg/binary.py', 'x = 1\0\n');
    fs.writeFileSync(path.join(root, 'pkg/latin1.py'), Buffer.from([0x78, 0x3d, 0xe9, 0x0a])); // not UTF-8
    put('.gitignore', 'build/\n*skip_me.py\n# comment\n');
    fs.symlinkSync(path.join(root, 'pkg'), path.join(root, 'linked_pkg'));
    fs.symlinkSync(path.join(root, 'a.py'), path.join(root, 'link_a.py'));
    fs.symlinkSync(path.join(root, 'missing.py'), path.join(root, 'dangling.py'));
    await same(root);
    await same(root, { ...DEFAULT_SELECTION, maxFileSize: 5000 });
    await same(root, { include: ['pkg/**/*.py', '*.py'], exclude: ['**/deep/**'], maxFileSize: 2_000_000 });
    await same(root, { include: ['**/*.py', '.hidden/*.py'], exclude: [], maxFileSize: 2_000_000 });
    await same(root, { include: ['**/*.py'], exclude: ['gen/*.py', 'a'], maxFileSize: 2_000_000 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a walk with the last walk\'s listings reads only the folders that changed, and selects what listFiles selects', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-walk-memo-'));
  try {
    const put = (rel: string, text = 'x = 1\n') => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    for (const f of ['a.py', 'pkg/m.py', 'pkg/sub/x.py', 'other/y.py', 'gen/skip_me.py']) put(f);
    put('.gitignore', '*skip_me.py\n');
    // every folder as if last changed a minute ago, older than the trust window
    const past = (rel: string) => {
      const when = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(root, rel), when, when);
    };
    const folders = ['', 'pkg', 'pkg/sub', 'other', 'gen'];
    folders.forEach(past);
    // (the module object files.ts calls through, not this file's import wrapper)
    const readdir = t.mock.method(createRequire(__filename)('node:fs') as typeof fs, 'readdirSync');
    const memo: WalkMemo = { dirs: new Map() };
    assert.ok(!(await same(root, DEFAULT_SELECTION, memo)).files.includes('gen/skip_me.py'), 'ignored by .gitignore');
    const first = readdir.mock.callCount();
    assert.ok(first >= folders.length, `${first} readdirs`);
    // (listFiles reads folders too: count walkFiles's own calls)
    const walkReads = () => {
      const before = readdir.mock.callCount();
      walkFiles(root, DEFAULT_SELECTION, memo);
      return readdir.mock.callCount() - before;
    };
    assert.equal(walkReads(), 0, 'nothing changed: no folder is read');
    // a file added in one folder, one deleted in another, a new folder: those folders (and only those) are read
    put('pkg/sub/new.py');
    fs.rmSync(path.join(root, 'other/y.py'));
    put('fresh/z.py');
    await same(root, DEFAULT_SELECTION, memo);
    const b = walkFiles(root, DEFAULT_SELECTION, memo);
    assert.ok(b.files.includes('pkg/sub/new.py') && b.files.includes('fresh/z.py') && !b.files.includes('other/y.py'), JSON.stringify(b.files));
    // changed within the trust window: read every time until they are older
    assert.equal(walkReads(), 4, 'the root (new folder), pkg/sub, other and fresh are read again');
    ['', 'pkg/sub', 'other', 'fresh'].forEach(past);
    walkReads(); // listed after their (past) mtimes: trusted from the next walk on
    assert.equal(walkReads(), 0);
    // a changed .gitignore selects differently: everything is read again
    fs.writeFileSync(path.join(root, '.gitignore'), '');
    past('');
    await same(root, DEFAULT_SELECTION, memo);
    assert.ok(walkFiles(root, DEFAULT_SELECTION, memo).files.includes('gen/skip_me.py'));
    // a removed folder is forgotten
    fs.rmSync(path.join(root, 'fresh'), { recursive: true });
    await same(root, DEFAULT_SELECTION, memo);
    assert.ok(![...memo.dirs.keys()].some((d) => d.endsWith('fresh')), [...memo.dirs.keys()].join());
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
