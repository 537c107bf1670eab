// Which files of a folder are analyzed: include/exclude globs (relative to the folder), .gitignore, size limit.
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import ignore from 'ignore';
import picomatch from 'picomatch';

export interface FileSelection {
  include: string[];
  exclude: string[];
  maxFileSize: number;
}

export const DEFAULT_SELECTION: FileSelection = {
  include: ['**/*.py'],
  exclude: ['**/.venv/**', '**/venv/**', '**/node_modules/**', '**/site-packages/**', '**/migrations/**', '**/.git/**'],
  maxFileSize: 2_000_000,
};

export interface Skipped {
  file: string;
  reason: string;
}

/** Python files under root, as '/'-separated paths relative to root, sorted. */
export async function listFiles(root: string, sel: FileSelection = DEFAULT_SELECTION): Promise<{ files: string[]; skipped: Skipped[] }> {
  const ig = ignore();
  const gi = path.join(root, '.gitignore');
  if (fs.existsSync(gi)) ig.add(fs.readFileSync(gi, 'utf8'));
  const entries = await fg(sel.include, {
    cwd: root,
    ignore: sel.exclude,
    dot: false,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    stats: true,
  });
  const files: string[] = [];
  const skipped: Skipped[] = [];
  for (const e of entries) {
    if (ig.ignores(e.path)) continue;
    const size = e.stats?.size ?? 0;
    if (size > sel.maxFileSize) {
      skipped.push({ file: e.path, reason: tooLarge(size, sel.maxFileSize) });
      continue;
    }
    files.push(e.path);
  }
  files.sort();
  return { files, skipped };
}

/** Why a file could not be read (the scan's and the CLI's skip reason). */
export function cannotRead(e: unknown): string {
  return `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
}

/** Why a file over the selection's size limit is skipped. */
export function tooLarge(size: number, maxFileSize: number): string {
  return `larger than maxFileSize (${size} > ${maxFileSize} bytes)`;
}

/** Reads a file as UTF-8 text, or says why it cannot be analyzed (binary, not UTF-8). `bytes`: the text's UTF-8. */
export function readText(abs: string): { text: string; bytes: Buffer } | { reason: string } {
  const r = readBytes(abs);
  return 'reason' in r ? r : decodeText(r.buf);
}

function decodeText(buf: Buffer): { text: string; bytes: Buffer } | { reason: string } {
  const t = textBytes(buf);
  return 'reason' in t ? t : { text: t.bytes.toString('utf8'), bytes: t.bytes };
}

/**
 * Why a file's bytes are not Python text (NUL bytes, not UTF-8), or the text's UTF-8: the bytes less a byte order
 * mark, and a second one, as the text leaves them out.
 */
export function textBytes(buf: Buffer): { bytes: Buffer } | { reason: string } {
  if (buf.includes(0)) return { reason: 'binary file (NUL bytes)' };
  if (!isUtf8(buf)) return { reason: 'not UTF-8 text' };
  let bytes = buf;
  for (let k = 0; k < 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf; k++) bytes = bytes.subarray(3);
  return { bytes };
}

export type StatRead = ({ buf: Buffer } | { reason: string; tooLarge?: boolean }) & { size: number; mtimeMs: number };

/**
 * A file's bytes with its size and mtime (from the open file: what readFileSync asks anyway, so a walk without
 * stats and this cost one stat less per file), not read past `maxSize` bytes.
 */
export function readBytesWithStat(abs: string, maxSize: number): StatRead {
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch (e) {
    return { reason: cannotRead(e), size: -1, mtimeMs: -1 };
  }
  try {
    const st = fs.fstatSync(fd);
    const at = { size: st.size, mtimeMs: st.mtimeMs };
    if (st.size > maxSize) return { reason: tooLarge(st.size, maxSize), tooLarge: true, ...at };
    const buf = Buffer.allocUnsafeSlow(st.size);
    let n = 0;
    while (n < st.size) {
      const got = fs.readSync(fd, buf, n, st.size - n, null);
      if (!got) break;
      n += got;
    }
    return { buf: n < st.size ? buf.subarray(0, n) : buf, ...at };
  } catch (e) {
    return { reason: cannotRead(e), size: -1, mtimeMs: -1 };
  } finally {
    fs.closeSync(fd);
  }
}

/** A file's bytes, or why it cannot be read. */
export function readBytes(abs: string): { buf: Buffer } | { reason: string } {
  try {
    return { buf: fs.readFileSync(abs) };
  } catch (e) {
    return { reason: cannotRead(e) };
  }
}

/**
 * What picomatch(globs, { dot: false }) answers (a path equal to a glob, or matched by its regular expression),
 * without building a result object per call: the walk asks for every file and directory.
 */
function globMatcher(globs: readonly string[]): (p: string) => boolean {
  const res = globs.map((g) => picomatch.makeRe(g, { dot: false }));
  return (p) => {
    if (p === '') return false;
    for (let i = 0; i < globs.length; i++) if (p === globs[i] || res[i].test(p)) return true;
    return false;
  };
}

export interface WalkedFiles {
  files: string[];
  skipped: Skipped[];
  /** size and mtime of every listed file (the scan's cache compares them) */
  stats: Map<string, { size: number; mtimeMs: number }>;
}

/**
 * What a walk saw of each folder, for the next walk of the same root: a folder whose mtime is what it was, and older
 * than its listing by the trust window, has the same entries (creating, deleting or renaming one sets the folder's
 * mtime), so its selected files and subfolders are taken from here with one stat instead of a readdir and the
 * globs (a warm rescan of the benchmark's 1,029 folders: readdir ≈ 18 of its 35 ms). Only the files' own stats
 * are read again: their sizes and mtimes are what the scan's cache compares. Keyed by folder; `key` is the
 * selection and .gitignore the listings were made under.
 */
export interface WalkMemo {
  key?: string;
  dirs: Map<string, { mtimeMs: number; listedAt: number; files: string[]; dirs: string[] }>;
}

/**
 * A file or folder changed this close to when it was last read may change again within the same mtime: it is read
 * again (the scan's cache entries, and a walk's folder listings).
 */
export const MTIME_TRUST_MS = 2000;

/**
 * The same selection as listFiles (include/exclude globs as fast-glob applies them: dot segments only where a
 * pattern names them, symbolic links neither listed nor followed; the folder's .gitignore; maxFileSize), in one
 * synchronous directory walk (readdir with file types; one stat per selected file, for size and mtime).
 * test/unit/walk.test.ts compares both. Skipped files come sorted. `memo`: the listings of the last walk of this root (WalkMemo).
 */
export function walkFiles(root: string, sel: FileSelection = DEFAULT_SELECTION, memo?: WalkMemo, opts: { stats?: boolean } = {}): WalkedFiles {
  // without stats (a scan with no cache to compare with reads every file, and takes them from the open file:
  // readTextWithStat), files are listed whatever their size, and `stats` is empty
  const withStats = opts.stats !== false;
  const gi = path.join(root, '.gitignore');
  const giText = fs.existsSync(gi) ? fs.readFileSync(gi, 'utf8') : undefined;
  const ig = giText !== undefined ? ignore().add(giText) : undefined;
  const isIncluded = globMatcher(sel.include);
  const isExcluded = globMatcher(sel.exclude);
  // no include pattern names a dot segment: nothing under a dot directory can be selected
  const dotDirsPossible = sel.include.some((p) => /(^|\/)\./.test(p));
  const files: string[] = [];
  const skipped: Skipped[] = [];
  const stats = new Map<string, { size: number; mtimeMs: number }>();
  if (memo) {
    const key = JSON.stringify([sel.include, sel.exclude, giText ?? null]);
    if (memo.key !== key) memo.dirs.clear();
    memo.key = key;
  }
  const visited = new Set<string>();
  /** The selected files and the subfolders to walk of a folder: read, or the memo's when the folder is unchanged. */
  const listing = (dir: string, rel: string): { files: string[]; dirs: string[] } | undefined => {
    let mtimeMs = -1;
    if (memo) {
      visited.add(dir);
      // (stat before readdir: an entry made meanwhile changes the mtime after the one recorded)
      const st = fs.statSync(dir, { throwIfNoEntry: false });
      if (!st) {
        memo.dirs.delete(dir);
        return undefined;
      }
      mtimeMs = st.mtimeMs;
      const known = memo.dirs.get(dir);
      if (known && known.mtimeMs === mtimeMs && mtimeMs < known.listedAt - MTIME_TRUST_MS) return known;
    }
    const listedAt = Date.now();
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      memo?.dirs.delete(dir);
      return undefined;
    }
    const out = { files: [] as string[], dirs: [] as string[] };
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!dotDirsPossible && e.name.startsWith('.')) continue;
        if (isExcluded(r) || isExcluded(`${r}/`)) continue;
        out.dirs.push(e.name);
      } else if (e.isFile()) {
        if (!isIncluded(r) || isExcluded(r) || ig?.ignores(r)) continue;
        out.files.push(e.name);
      }
    }
    memo?.dirs.set(dir, { mtimeMs, listedAt, ...out });
    return out;
  };
  const walk = (dir: string, rel: string) => {
    const l = listing(dir, rel);
    if (!l) return;
    for (const name of l.dirs) walk(dir + path.sep + name, rel ? `${rel}/${name}` : name);
    for (const name of l.files) {
      const r = rel ? `${rel}/${name}` : name;
      if (!withStats) {
        files.push(r);
        continue;
      }
      let st: fs.Stats;
      try {
        st = fs.statSync(dir + path.sep + name);
      } catch {
        continue;
      }
      if (st.size > sel.maxFileSize) {
        skipped.push({ file: r, reason: tooLarge(st.size, sel.maxFileSize) });
        continue;
      }
      files.push(r);
      stats.set(r, { size: st.size, mtimeMs: st.mtimeMs });
    }
  };
  walk(path.resolve(root), '');
  // folders no longer reached (removed, or under one now excluded) are forgotten
  if (memo) for (const d of memo.dirs.keys()) if (!visited.has(d)) memo.dirs.delete(d);
  files.sort();
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, skipped, stats };
}
