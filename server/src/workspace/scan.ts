// Scans a workspace folder: lists and reads its Python files, builds the ModuleIndex, analyzes every file that can
// hold a finding, on worker threads, with a content-hash cache. The language server and the CLI both use this.
//
//   list → read (or trust the cache by size+mtime) → textual facts (imports, needles, markers)
//   → relevance (prefilter.ts) → index summaries of relevant files some import names (cache, else parse)
//   → analysis of relevant files holding a needle (cache by key, else parse) → results, cache saved.
import * as os from 'node:os';
import * as path from 'node:path';
import { ModuleIndex, moduleNameFor, type ModuleSummary } from '../analysis/moduleIndex';
import type { LoadedRule } from '../analysis/rule';
import type { PortMarker, Settings } from '../analysis/types';
import { RULES } from '../rules/generated';
import { DEFAULT_SELECTION, MTIME_TRUST_MS, readText, walkFiles, type FileSelection, type Skipped, type WalkMemo } from './files';
import { loadCache, saveCache, saveCacheLater, sha1, type CacheData, type CacheEntry } from './cache';
import { directRelevance, filterPlan, importsFrameworkName, ModuleNames, importsViewMarker, isRelevantRoot, holdsWordStart, type ImportItem, VIEW_WORDS, type FileFacts } from './prefilter';
import { Pool, workersAvailable } from './pool';
import { keepPool, takeKeptPool } from './keptPool';
import { readFacts, type ReadFacts } from './readFacts';
import type { FileAnalysis, PlainFinding, Work, WorkResult } from './scanCore';

/** The folder listings of the last walk of each root, per cache directory (only rescans use them). */
const walkMemos = new Map<string, WalkMemo>();

/**
 * Drops the folder listings kept for a root: its next scan reads every folder. For a rescan a file watcher asked for
 * (created or deleted files), so that a file system whose folder mtimes lag cannot hide them.
 */
export function forgetFolderListings(root: string) {
  const suffix = `\0${path.resolve(root)}`;
  for (const k of [...walkMemos.keys()]) if (k.endsWith(suffix)) walkMemos.delete(k);
}

export type { PlainFinding } from './scanCore';

/**
 * Work (characters to parse) below which the scan stays in this thread. A worker needs ≈ 200 ms before its first
 * analysis and runs unoptimized code for its first ≈ 0.5 s, and its isolate and wasm heap add to the server's memory:
 * on 2 cores, the benchmark corpus's 1.3 M characters of analysis took 742–785 ms with a worker and 795–948 ms
 * without, for 182–186 MB of peak RSS against 141 MB; with 12 M characters (no prefilter) the worker saved 20 %.
 */
export const IN_THREAD_BELOW = 4_000_000;
// (kept between scans, step 56, a worker started from 1 M characters made the benchmark's cold scans 0.71–0.86×
// ruff, but the language server's peak RSS 150–164 MB against 133–140 in one lane: the threshold stayed)

/** How long the language server keeps an idle scan pool, its workers started and their code optimized. */
export const KEEP_WORKERS_MS = 10 * 60_000;
/** The language server writes a scan's cache this long after the scan (its checklist is out by then). */
export const WRITE_CACHE_AFTER_MS = 1000;

/** Files to read from which a kept pool's workers share the reading (fewer: not worth a message each way). */
const READ_IN_THREAD_BELOW = 256;

export interface ScanOptions {
  settings: Settings;
  selection?: FileSelection;
  /** where the cache lives (outside the workspace); no cache without it */
  cacheDir?: string;
  /** threads: this one plus threads − 1 workers; 1 = this thread only. Default: the machine's parallelism (at most 8) */
  threads?: number;
  /** below this many characters of work no worker is started (default IN_THREAD_BELOW) */
  inThreadBelow?: number;
  /**
   * Keep this scan's pool (this thread's parser and its worker threads) for the next scan, idle at most this long,
   * and take the one a scan before kept (keptPool.ts). The language server: KEEP_WORKERS_MS; default 0 (a CLI).
   */
  keepWorkersMs?: number;
  /**
   * Write the cache this long after the scan returns (cache.ts saveCacheLater: a scan meanwhile reads what will be
   * written), not before it returns. The language server: WRITE_CACHE_AFTER_MS; default: before (a CLI).
   */
  writeCacheAfterMs?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
  isCancelled?(): boolean;
  /** the textual prefilter (default on); off analyzes and indexes every file */
  prefilter?: boolean;
  /** default: the generated rules (other rule sets run in this thread) */
  rules?: readonly LoadedRule[];
}

export interface ScannedFile {
  rel: string;
  /** sha1 of the text; '' for a file the scan did not analyze and that holds no marker (nothing reads it) */
  hash: string;
  findings: PlainFinding[];
  markers: PortMarker[];
  /** whether the rules ran on it (false: the prefilter showed it cannot hold a finding) */
  analyzed: boolean;
  /** its result came from the cache */
  cached: boolean;
}

export interface ScanStats {
  listed: number;
  read: number;
  relevant: number;
  analyzed: number;
  indexParsed: number;
  analysisParsed: number;
  summaryCacheHits: number;
  analysisCacheHits: number;
  /** nothing changed since the scan that made the cache: its relevance, index and analysis keys were reused */
  reusedPlan: boolean;
  threads: number;
  /** lanes that read the files (2 and more: a kept pool's workers read with this thread) */
  readLanes: number;
  ms: { list: number; read: number; index: number; analyze: number; total: number };
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: Skipped[];
  /** every readable file's module; summaries of the relevant files that an import statement names */
  index: ModuleIndex;
  cancelled: boolean;
  stats: ScanStats;
}

function settingsKey(s: Settings): string {
  const rules = Object.keys(s.rules).sort().map((k) => [k, s.rules[k]]);
  return JSON.stringify([s.target, s.ormTarget, s.severity, rules]);
}

const EMPTY: ModuleSummary = Object.freeze({}) as ModuleSummary;

/**
 * What a complete scan decided from a cache's entries: with the same entries (every file trusted by size and mtime,
 * the same files), settings, prefilter and rules, a rescan decides the same, so it reuses this instead of
 * recomputing relevance, the index and the analysis keys. Held per loaded cache object (cache.ts keeps the object
 * while its file is unchanged), so a scan that changed anything, and therefore saved, starts a new one.
 */
interface PlanMemo {
  key: string;
  rules: readonly LoadedRule[];
  readable: string[];
  summaries: Map<string, ModuleSummary>;
  toAnalyze: Set<string>;
  analyses: Map<string, FileAnalysis>;
  relevant: number;
  summaryCacheHits: number;
}
const plans = new WeakMap<CacheData, PlanMemo>();

export async function scanWorkspace(root: string, opts: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const rules = opts.rules ?? RULES;
  const usePrefilter = opts.prefilter !== false;
  const cancelled = () => !!opts.signal?.aborted || !!opts.isCancelled?.();
  const plan = filterPlan(rules, opts.settings);
  const stats: ScanStats = { listed: 0, read: 0, relevant: 0, analyzed: 0, indexParsed: 0, analysisParsed: 0, summaryCacheHits: 0, analysisCacheHits: 0, reusedPlan: false, threads: 1, readLanes: 1, ms: { list: 0, read: 0, index: 0, analyze: 0, total: 0 } };
  let index = new ModuleIndex();
  const result = (files: ScannedFile[], skipped: Skipped[], wasCancelled: boolean): ScanResult => {
    stats.ms.total = performance.now() - t0;
    return { files, skipped, index, cancelled: wasCancelled, stats };
  };
  const planKey = `${settingsKey(opts.settings)}\n${usePrefilter}`;

  // ---- list
  // one readdir walk (the selection of files.ts listFiles), with the size and mtime of every selected file
  // a rescan (a cache to compare with) reuses the folder listings of the last walk of the root where the folders are
  // unchanged (files.ts WalkMemo); a scan without a cache lists everything
  const cache = opts.cacheDir ? loadCache(opts.cacheDir, root) : undefined;
  const memoKey = opts.cacheDir ? `${path.resolve(opts.cacheDir)}\0${path.resolve(root)}` : '';
  let memo = cache ? walkMemos.get(memoKey) : undefined;
  if (cache && !memo) walkMemos.set(memoKey, (memo = { dirs: new Map() }));
  if (!cache) walkMemos.delete(memoKey);
  const selection = opts.selection ?? DEFAULT_SELECTION;
  // (no cache: every file is read, and its size and mtime come from the open file, not from a stat of its own)
  const listed = walkFiles(root, selection, memo, { stats: !!cache });
  stats.listed = listed.files.length;
  stats.ms.list = performance.now() - t0;
  const skipped = [...listed.skipped];
  const old = cache?.files ?? {};
  const trustBefore = (cache?.savedAt ?? 0) - MTIME_TRUST_MS; // a file modified this close to the last save is re-read
  const entries: Record<string, CacheEntry> = {};
  const texts = new Map<string, string>();

  let pool: Promise<Pool> | undefined;
  let runner: Pool | undefined;
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(os.availableParallelism?.() ?? os.cpus().length, 8), 16));
  const workersAllowed = threads > 1 && (!opts.rules || opts.rules === RULES) && workersAvailable();
  const keepMs = opts.keepWorkersMs ?? 0;
  const inThreadBelow = opts.inThreadBelow ?? IN_THREAD_BELOW;
  // a kept pool (keptPool.ts) when there is one, else a new one; when the scan is done, kept again or closed
  const openPool = async (): Promise<Pool> => (runner = (keepMs > 0 ? takeKeptPool(rules, workersAllowed ? threads : 1) : undefined) ?? (await Pool.create(rules, opts.settings)));
  const release = (p: Pool) => (keepMs > 0 ? keepPool(p, keepMs) : p.close());

  // ---- read (or trust the cache) and textual facts
  const t1 = performance.now();
  const readable: string[] = [];
  const tooLarge: Skipped[] = [];
  const roots = usePrefilter ? [...plan.roots] : null;
  // the files the cache cannot vouch for are read: by this thread, and by a kept pool's workers when there is one
  // (its workers started and their code optimized: a cold scan's reads are split between the lanes)
  const reads = new Array<ReadFacts | undefined>(listed.files.length);
  const toRead: number[] = [];
  for (let i = 0; i < listed.files.length; i++) {
    const rel = listed.files[i];
    const prev = old[rel];
    const st = listed.stats.get(rel);
    if (prev && st && prev.size === st.size && prev.mtimeMs === st.mtimeMs && st.mtimeMs < trustBefore) entries[rel] = prev;
    else toRead.push(i);
  }
  // (listed paths are relative, '/'-separated and normalized: joined without path.join's normalizing, 2.5 ms a scan)
  const rootDir = path.resolve(root);
  const prefix = rootDir.endsWith(path.sep) ? rootDir : rootDir + path.sep;
  const readWork = (i: number): Extract<Work, { kind: 'read' }> => ({ kind: 'read', rel: listed.files[i], abs: prefix + listed.files[i], stat: listed.stats.get(listed.files[i]), maxFileSize: selection.maxFileSize, roots, hash: !!old[listed.files[i]]?.hash });
  const early = keepMs > 0 && workersAllowed && toRead.length >= READ_IN_THREAD_BELOW ? takeKeptPool(rules, threads) : undefined;
  if (early) pool = Promise.resolve((runner = early));
  // (the pool taken goes back on every way out before the phases below take it on)
  const putBack = async () => {
    if (early) await release(early);
    pool = runner = undefined;
  };
  if (early && early.size > 1) {
    let r: Awaited<ReturnType<Pool['run']>>;
    try {
      r = await early.run(toRead.map(readWork), { cancelled });
      stats.readLanes = early.size;
    } catch (e) {
      await putBack();
      throw e;
    }
    if (r.cancelled) {
      await putBack();
      return result([], skipped, true);
    }
    toRead.forEach((i, k) => {
      const res = r.results[k];
      if (res.kind === 'read') reads[i] = res.facts;
    });
  } else {
    for (let k = 0; k < toRead.length; k++) {
      if (k % 64 === 0 && cancelled()) {
        await putBack();
        return result([], skipped, true);
      }
      const w = readWork(toRead[k]);
      reads[toRead[k]] = readFacts(w.abs, w.rel, w);
    }
  }
  for (let i = 0; i < listed.files.length; i++) {
    const rel = listed.files[i];
    const f = reads[i];
    if (f) {
      if (f.tooLarge) {
        // as the walk with stats skips it (no cache entry: the limit is a setting)
        tooLarge.push({ file: rel, reason: f.tooLarge });
        stats.listed--;
        continue;
      }
      const prev = old[rel];
      if (f.reason !== undefined) entries[rel] = { size: f.size, mtimeMs: f.mtimeMs, hash: '', skip: f.reason };
      else if (prev && f.hash && prev.hash === f.hash && !prev.skip) entries[rel] = { ...prev, size: f.size, mtimeMs: f.mtimeMs };
      else entries[rel] = { size: f.size, mtimeMs: f.mtimeMs, hash: f.hash ?? '', imports: f.imports, items: f.items, markers: f.markers };
      if (f.text !== undefined) texts.set(rel, f.text);
    }
    const e = entries[rel];
    if (e.skip) skipped.push({ file: rel, reason: e.skip });
    else readable.push(rel);
  }
  skipped.splice(listed.skipped.length, 0, ...tooLarge);
  stats.read = readable.length;
  stats.ms.read = performance.now() - t1;

  // ---- nothing changed since the scan that made this cache's plan: its decisions stand
  const reuse = cache && plans.get(cache);
  if (reuse && reuse.key === planKey && reuse.rules === rules && sameEntries(old, entries)) {
    await putBack();
    const t2 = performance.now();
    Object.assign(stats, { reusedPlan: true, relevant: reuse.relevant, analyzed: reuse.toAnalyze.size, summaryCacheHits: reuse.summaryCacheHits, analysisCacheHits: reuse.toAnalyze.size });
    opts.onProgress?.(readable.length, readable.length);
    const files = collect(readable, entries, reuse.analyses, reuse.toAnalyze, reuse.toAnalyze);
    stats.ms.index = performance.now() - t2;
    stats.ms.total = performance.now() - t0;
    let built: ModuleIndex | undefined;
    // the index is built only if the caller reads it
    return {
      files,
      skipped,
      get index() {
        return (built ??= finalIndex(reuse.readable, reuse.summaries));
      },
      cancelled: false,
      stats,
    };
  }

  // ---- prefilter
  const modNames = new Map<string, string>();
  const modName = (rel: string) => {
    let n = modNames.get(rel);
    if (n === undefined) modNames.set(rel, (n = moduleNameFor(rel).name));
    return n;
  };
  const names = new ModuleNames(readable, modName);
  index = new ModuleIndex(names.bySuffix); // (the same module names: their suffixes made once)
  const facts: FileFacts[] = readable.map((rel) => ({ rel, imports: entries[rel].imports ?? [] }));
  // direct relevance here; the name-level fixpoint over the index runs with the index phase below
  const { relevant, deps, imported } = directRelevance(plan, facts, names);
  if (!usePrefilter) for (const rel of readable) relevant.add(rel);

  const total = readable.length;
  let done = 0;
  const progress = () => opts.onProgress?.(done, total);
  const textOf = (rel: string): string => {
    let t = texts.get(rel);
    if (t === undefined) {
      const r = readText(path.join(root, rel));
      t = 'text' in r ? r.text : '';
      texts.set(rel, t);
    }
    return t;
  };
  // a file's hash, made from its text when the read phase did not need it (readFacts.ts)
  const hashOf = (rel: string): string => {
    const e = entries[rel];
    if (e.hash) return e.hash;
    const hash = sha1(textOf(rel));
    entries[rel] = { ...e, hash };
    return hash;
  };
  // whether a file's text holds a word (a needle or a view word), looked up the first time a relevant or
  // view-importing file needs it (most files never do: 49 `includes` over every text was half the read phase);
  // the answers are kept in the cache entry
  let learned = false; // a cache entry gained a word
  // (atStart: the word must begin a word, as a name does: `os_require_quiesce` names no `require_` decorator)
  const holds = (rel: string, word: string, atStart = false): boolean => {
    const known = (entries[rel].words ??= new Map());
    const key = atStart ? `\\b${word}` : word;
    let v = known.get(key);
    if (v === undefined) {
      known.set(key, (v = atStart ? holdsWordStart(textOf(rel), word) : textOf(rel).includes(word)));
      learned = true;
    }
    return v;
  };
  const planNeedles = plan.needles;
  const ungated = plan.ungatedNeedles;
  const analyzable = (rel: string) => {
    if (!usePrefilter) return true;
    if (relevant.has(rel)) return planNeedles.some((n) => holds(rel, n));
    // not relevant: only the ungated rules can fire, on a view decorator named in the text or re-exported by a
    // relevant module (prefilter.ts VIEW_WORDS)
    if (!ungated.length || !importsViewMarker(entries[rel].imports ?? [])) return false;
    if (!ungated.some((n) => holds(rel, n))) return false;
    return VIEW_WORDS.some((w) => holds(rel, w, true)) || (deps.get(rel) ?? []).some((d) => relevant.has(d));
  };
  const toAnalyze = new Set<string>();
  // files whose text the parser must not see (parseRefusal): skipped, and remembered as such by the cache
  const refused = new Set<string>();
  const refuse = (rel: string, why: string) => {
    refused.add(rel);
    const reason = `not parsed: ${why}`;
    entries[rel] = { ...entries[rel], skip: reason };
    skipped.push({ file: rel, reason });
  };
  // texts that neither the index nor the analysis can need any more: dropped now (a file made relevant by name
  // later is read again)
  if (usePrefilter) for (const rel of readable) if (!relevant.has(rel) && !(deps.get(rel)?.length) && !analyzable(rel)) texts.delete(rel);

  // ---- runner, made only when there is parsing to do: this thread, plus workers (which join once started) when a
  // phase has enough work to repay their start-up (a kept pool taken for the read phase is used from then on)
  const getRunner = async (chars: number): Promise<Pool> => {
    // (a kept pool's workers, started already, take part whatever the work)
    pool ??= openPool();
    const p = await pool;
    if (workersAllowed && chars >= inThreadBelow) p.addWorkers(threads - 1);
    stats.threads = p.size;
    return p;
  };
  // a file whose analysis will probably be made (not cached for this text): known before the index is built
  const analyzeSoon = (rel: string) => analyzable(rel) && !(old[rel]?.akey && old[rel].hash === hashOf(rel));

  try {
    // when those analyses are enough to repay workers, they start now and join while the index is built
    if (workersAllowed) {
      let soon = 0;
      for (const rel of readable) if (relevant.has(rel) && analyzeSoon(rel)) soon += Math.max(0, entries[rel].size);
      if (soon >= inThreadBelow) await getRunner(soon);
    }
    // ---- index summaries, and relevance by name as a fixpoint: summarize the relevant files (cache, else parse),
    // put them in the index, then check the other files' imported names against it (text only); the files that
    // import a name the index resolves to a framework object are relevant too, and are summarized next round.
    // Every readable module is in the index from the start (empty summary until summarized), so has() and suffix
    // resolution are those of the final index. No irrelevant file is parsed.
    const t2 = performance.now();
    const summaries = new Map<string, ModuleSummary>();
    const by = new Map<string, number>();
    for (const rel of readable) index.set(modName(rel), EMPTY);
    const putInIndex = (rel: string, s: ModuleSummary) => {
      summaries.set(rel, s);
      const name = modName(rel);
      if (names.fileOf(name) === rel) index.set(name, s);
    };
    // only a module some import names is ever looked up (prefilter.ts directRelevance): the others are not
    // summarized (a test module nobody imports is parsed once, for its analysis)
    const toSummarize = (rels: string[]) => rels.filter((rel) => imported.has(rel));
    let pending = toSummarize(readable.filter((rel) => relevant.has(rel)));
    // files whose imports name a project module: the only ones relevance by name can add
    let candidates = usePrefilter ? readable.filter((rel) => !relevant.has(rel) && (deps.get(rel)?.length ?? 0) > 0) : [];
    while (pending.length) {
      const indexWork: Extract<Work, { kind: 'index' }>[] = [];
      for (const rel of pending) {
        const e = entries[rel];
        if (e.summary) {
          putInIndex(rel, e.summary);
          stats.summaryCacheHits++;
        } else indexWork.push({ kind: 'index', rel, text: textOf(rel), keep: analyzeSoon(rel) });
      }
      if (indexWork.length) {
        const chars = indexWork.reduce((s, w) => s + w.text.length, 0);
        const r = await (await getRunner(chars)).run(indexWork, { cancelled });
        stats.indexParsed += r.parsed;
        if (r.cancelled) return result([], skipped, true);
        r.results.forEach((res, i) => {
          if (res.kind !== 'index') return;
          if (res.refused) refuse(res.rel, res.refused);
          putInIndex(res.rel, res.summary);
          entries[res.rel] = { ...entries[res.rel], summary: res.summary };
          if (indexWork[i].keep) by.set(res.rel, r.by[i]);
        });
      }
      const memo = new Map<string, boolean>();
      const next: string[] = [];
      const rest: string[] = [];
      for (const rel of candidates) {
        const self = modName(rel);
        if (importsFrameworkName(plan, entries[rel].items ?? [], index, memo, self)) {
          relevant.add(rel);
          next.push(rel);
        } else rest.push(rel);
      }
      candidates = rest;
      pending = toSummarize(next);
    }
    for (const rel of readable) if (analyzable(rel) && !refused.has(rel)) toAnalyze.add(rel);
    stats.relevant = relevant.size;
    stats.analyzed = toAnalyze.size;
    // files that are not analyzed are done once read (their markers are textual)
    for (const rel of readable) if (!toAnalyze.has(rel)) done++;
    progress();
    // the final index, built as before: a later file of the same module wins
    for (const rel of readable) index.set(modName(rel), summaries.get(rel) ?? EMPTY);
    stats.ms.index = performance.now() - t2;

    // ---- analysis keys: text, path, settings, and what every project module the file's imports reach exports
    const t3 = performance.now();
    const sumHash = new Map<string, string>();
    const summaryHash = (rel: string) => {
      let h = sumHash.get(rel);
      if (h === undefined) {
        const s = summaries.get(rel);
        h = s ? sha1(JSON.stringify(s)) : '-';
        sumHash.set(rel, h);
      }
      return h;
    };
    const importKey = new Map<string, string>();
    const importsOf = (rel: string) => {
      let k = importKey.get(rel);
      if (k === undefined) {
        k = (entries[rel].imports ?? []).map((n) => `${n}>${names.find(n) ?? ''}`).join(',');
        importKey.set(rel, k);
      }
      return k;
    };
    const analysisKey = (rel: string): string => {
      const seen = new Set<string>([rel]);
      const stack = [rel];
      while (stack.length) for (const d of deps.get(stack.pop()!) ?? []) if (!seen.has(d)) (seen.add(d), stack.push(d));
      const parts = [...seen].sort().map((m) => `${m}:${summaryHash(m)}:${importsOf(m)}`);
      return sha1(`${planKey}\n${rel}\n${hashOf(rel)}\n${parts.join('\n')}`);
    };
    // what a file's imports bind from a source framework (a star import: nothing known)
    const frameworkNamesOf = (items: ImportItem[]): string[] | undefined => {
      const out: string[] = [];
      for (const [m, names] of items) {
        if (!isRelevantRoot(plan, m)) continue;
        if (!names) out.push(m.split('.')[0]);
        else if (names.includes('*')) return undefined;
        else out.push(...names);
      }
      return out;
    };
    const analyses = new Map<string, FileAnalysis>();
    const cachedSet = new Set<string>();
    const analyzeWork: Extract<Work, { kind: 'analyze' }>[] = [];
    const keys = new Map<string, string>();
    for (const rel of readable) {
      if (!toAnalyze.has(rel)) continue;
      const key = analysisKey(rel);
      keys.set(rel, key);
      const e = entries[rel];
      if (e.akey === key && e.analysis) {
        analyses.set(rel, e.analysis);
        cachedSet.add(rel);
        stats.analysisCacheHits++;
        done++;
      } else analyzeWork.push({ kind: 'analyze', rel, text: textOf(rel), ungatedOnly: usePrefilter && !relevant.has(rel), frameworkNames: frameworkNamesOf(entries[rel].items ?? []) });
    }
    progress();
    if (analyzeWork.length) {
      const chars = analyzeWork.reduce((s, w) => s + w.text.length, 0);
      const run = await getRunner(chars);
      run.setIndex(index, () => [...index_entries(readable, summaries, modName)], opts.settings);
      const r = await run.run(analyzeWork, {
        owner: (i) => by.get(analyzeWork[i].rel) ?? -1,
        cancelled,
        onResults: (rs: WorkResult[]) => {
          done += rs.length;
          progress();
        },
      });
      stats.analysisParsed += r.parsed;
      for (const res of r.results) {
        if (!res || res.kind !== 'analyze') continue;
        if (res.refused) {
          refuse(res.rel, res.refused);
          continue;
        }
        analyses.set(res.rel, res.analysis);
        entries[res.rel] = { ...entries[res.rel], akey: keys.get(res.rel), analysis: res.analysis };
      }
      if (r.cancelled) {
        stats.ms.analyze = performance.now() - t3;
        return result(collect(readable, entries, analyses, cachedSet, toAnalyze), skipped, true);
      }
    }
    stats.ms.analyze = performance.now() - t3;
    // entries of files not analyzed under these settings keep their old analysis for a later scan
    // written only when something differs from what was loaded (a rescan of an unchanged folder writes nothing)
    let saved: CacheData | undefined = cache;
    if (opts.cacheDir && (learned || !sameEntries(old, entries))) saved = opts.writeCacheAfterMs === undefined ? saveCache(opts.cacheDir, root, entries) : saveCacheLater(opts.cacheDir, root, entries, opts.writeCacheAfterMs);
    if (saved) plans.set(saved, { key: planKey, rules, readable, summaries, toAnalyze, analyses, relevant: stats.relevant, summaryCacheHits: stats.summaryCacheHits });
    return result(collect(readable, entries, analyses, cachedSet, toAnalyze), skipped, false);
  } finally {
    const p = runner ?? (pool && (await pool));
    if (p) await release(p);
  }
}

function sameEntries(a: Record<string, CacheEntry>, b: Record<string, CacheEntry>): boolean {
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}


function* index_entries(readable: string[], summaries: Map<string, ModuleSummary>, nameOf: (rel: string) => string = (rel) => moduleNameFor(rel).name): Iterable<[string, ModuleSummary]> {
  for (const rel of readable) yield [nameOf(rel), summaries.get(rel) ?? EMPTY];
}

function finalIndex(readable: string[], summaries: Map<string, ModuleSummary>): ModuleIndex {
  const index = new ModuleIndex();
  for (const [name, s] of index_entries(readable, summaries)) index.set(name, s);
  return index;
}

function collect(readable: string[], entries: Record<string, CacheEntry>, analyses: Map<string, FileAnalysis>, cached: Set<string>, toAnalyze: Set<string>): ScannedFile[] {
  const out: ScannedFile[] = [];
  for (const rel of readable) {
    const a = analyses.get(rel);
    if (toAnalyze.has(rel) && !a) continue; // cancelled before it was analyzed
    out.push({ rel, hash: entries[rel].hash, findings: a?.findings ?? [], markers: a?.markers ?? entries[rel].markers ?? [], analyzed: !!a, cached: cached.has(rel) });
  }
  return out;
}
