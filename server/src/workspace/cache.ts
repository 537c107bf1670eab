// The scan's content-hash cache: one v8.serialize file per workspace root in a directory the caller owns (the extension's
// storage path, ~/.cache/framework-porter for the CLI), never inside the scanned folder.
// Entries are valid for one build of the analyzer (codeVersion); per file they hold its text hash, the textual facts
// the prefilter needs, its index summary (depends on its text and path only) and its last analysis with the key it
// was made under (text hash + settings + the summaries of every project module its imports reach).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type { ModuleSummary } from '../analysis/moduleIndex';
import type { PortMarker } from '../analysis/types';
import type { FileAnalysis } from './scanCore';
import type { ImportItem } from './prefilter';

export const CACHE_FORMAT = 4;

export interface CacheEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  /** why the file cannot be analyzed (binary, not UTF-8) */
  skip?: string;
  imports?: string[];
  /** what the import statements bind, textually (prefilter.ts textImportItems) */
  items?: ImportItem[];
  /** whether the text contains a word (a rule's needle, a view word), for the words asked so far */
  words?: Map<string, boolean>;
  markers?: PortMarker[];
  summary?: ModuleSummary;
  akey?: string;
  analysis?: FileAnalysis;
}

export interface CacheData {
  format: number;
  code: string;
  root: string;
  savedAt: number;
  files: Record<string, CacheEntry>;
}

// crypto.hash (node 20.12+): the same digest without a Hash object per call (a cold scan hashes 1,700 files: 13 -> 11 ms)
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer) => string }).hash;

export function sha1(s: string | Buffer): string {
  return oneShot ? oneShot('sha1', s) : crypto.createHash('sha1').update(s).digest('hex');
}

let codeVersionMemo: string | undefined;
/**
 * Identifies the analyzer build: the bundle's bytes when running bundled, else the sources of the analyzer,
 * the rules and the scan (so editing a rule invalidates the cache in development too).
 */
export function codeVersion(): string {
  if (codeVersionMemo) return codeVersionMemo;
  const h = crypto.createHash('sha1');
  h.update(`format ${CACHE_FORMAT}\n`);
  if (__filename.endsWith('.js')) {
    h.update(fs.readFileSync(__filename));
  } else {
    const src = path.resolve(__dirname, '..');
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|scm)$/.test(e.name)) h.update(p).update(fs.readFileSync(p));
      }
    };
    for (const d of ['analysis', 'rules', 'parsing']) walk(path.join(src, d));
    for (const f of ['scan.ts', 'scanCore.ts', 'prefilter.ts', 'cache.ts']) h.update(fs.readFileSync(path.join(__dirname, f)));
  }
  return (codeVersionMemo = h.digest('hex'));
}

export function cacheFile(cacheDir: string, root: string): string {
  return path.join(cacheDir, `scan-${sha1(path.resolve(root)).slice(0, 16)}.v8`);
}

/**
 * The data last loaded from or saved to each cache file, with that file's size and mtime: a long-running process
 * (the language server rescans its folders) does not read and deserialize a cache file it wrote or read itself
 * and that has not changed since. Scans never modify a loaded entry except to add what they learned about the
 * same text (CacheEntry.words).
 */
const loaded = new Map<string, { size: number; mtimeMs: number; data: CacheData }>();

export function loadCache(cacheDir: string, root: string): CacheData | undefined {
  const file = cacheFile(cacheDir, root);
  const due = pending.get(file);
  if (due) return due.data; // what this process will write there
  try {
    const st = fs.statSync(file); // before reading: a file replaced meanwhile is simply read again next time
    const m = loaded.get(file);
    let data: CacheData;
    if (m && m.size === st.size && m.mtimeMs === st.mtimeMs) data = m.data;
    else {
      data = v8.deserialize(fs.readFileSync(file)) as CacheData;
      loaded.set(file, { size: st.size, mtimeMs: st.mtimeMs, data });
    }
    if (data.format !== CACHE_FORMAT || data.code !== codeVersion() || data.root !== path.resolve(root)) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

/** Writes the cache; returns what it wrote (undefined when it could not). */
export function saveCache(cacheDir: string, root: string, files: Record<string, CacheEntry>): CacheData | undefined {
  const file = cacheFile(cacheDir, root);
  const was = pending.get(file);
  if (was) clearTimeout(was.timer);
  pending.delete(file);
  return writeData(cacheDir, file, cacheData(root, files));
}

function cacheData(root: string, files: Record<string, CacheEntry>): CacheData {
  return { format: CACHE_FORMAT, code: codeVersion(), root: path.resolve(root), savedAt: Date.now(), files };
}

/**
 * Cache writes deferred by saveCacheLater, by file: a scan's results are out before its cache is serialized and
 * written (≈ 12 ms for the benchmark's 1,700 files), and loadCache answers with the data while it waits.
 */
const pending = new Map<string, { cacheDir: string; data: CacheData; timer: NodeJS.Timeout }>();

/**
 * Writes the cache in `afterMs` (a later save of the same file replaces it; flushCacheWrites and the process's exit
 * write what is still due); returns the data it will write, which loadCache gives meanwhile.
 */
export function saveCacheLater(cacheDir: string, root: string, files: Record<string, CacheEntry>, afterMs: number): CacheData {
  const file = cacheFile(cacheDir, root);
  const data = cacheData(root, files);
  const was = pending.get(file);
  if (was) clearTimeout(was.timer);
  const timer = setTimeout(() => {
    if (pending.get(file)?.data !== data) return;
    pending.delete(file);
    writeData(cacheDir, file, data);
  }, afterMs);
  timer.unref(); // (the exit handler writes it)
  pending.set(file, { cacheDir, data, timer });
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', flushCacheWrites);
  }
  return data;
}
let exitHooked = false;

/** Writes every deferred cache now (the benchmark, between timed scans; a process about to exit). */
export function flushCacheWrites() {
  for (const [file, due] of [...pending]) {
    clearTimeout(due.timer);
    pending.delete(file);
    writeData(due.cacheDir, file, due.data);
  }
}

function writeData(cacheDir: string, file: string, data: CacheData): CacheData | undefined {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    let st: fs.Stats;
    try {
      fs.writeFileSync(fd, v8.serialize(data));
      st = fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    loaded.set(file, { size: st.size, mtimeMs: st.mtimeMs, data });
    return data;
  } catch {
    return undefined; // a cache that cannot be written only costs time
  }
}
