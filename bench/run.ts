// The benchmark proper (bundled and started by bench/bench.mjs). In one process, on the same files:
// raw tree-sitter parse, ruff (wasm) check, our cold and warm scans (scanWorkspace, as the server runs it),
// edit latency through the language server's incremental path (DocumentStore + analyze), and peak RSS of a
// cold scan in a child process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPython } from '../server/src/parsing/python';
import { RULES } from '../server/src/rules/generated';
import { analyzeDocument, lastFallback } from '../server/src/analysis/incremental';
import type { Analysis } from '../server/src/analysis/engine';
import { LineMap } from '../server/src/analysis/lineMap';
import { DEFAULT_SETTINGS } from '../server/src/analysis/types';
import { DEFAULT_SELECTION, listFiles, readText } from '../server/src/workspace/files';
import { KEEP_WORKERS_MS, scanWorkspace, WRITE_CACHE_AFTER_MS } from '../server/src/workspace/scan';
import { flushCacheWrites } from '../server/src/workspace/cache';
import { closeKeptPool } from '../server/src/workspace/keptPool';
import { serverPeakRss } from './serverRss';
import { DocumentStore } from '../server/src/lsp/documents';
import { Diagnostics } from '../server/src/lsp/diagnostics';
import { IdleCollector } from '../server/src/lsp/idleCollector';
import type { ModuleIndex } from '../server/src/analysis/moduleIndex';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const smoke = args.includes('--smoke');
const corpusRoot = arg('--corpus')!;
const repo = arg('--repo')!;
const cacheBase = arg('--cache')!;
const RUNS = smoke ? 1 : Number(arg('--runs') ?? 5);
/** cold scans before the measured ones (docs/performance.md, step 56: a kept worker's code is optimized by the 5th) */
const WARMUP_COLD = Number(arg('--warmup') ?? 5);
const settings = DEFAULT_SETTINGS;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The smoke corpus: the first 100 selected files, copied (with their paths) into a folder of their own. */
async function smokeRoot(): Promise<string> {
  const dir = path.join(cacheBase, 'bench-smoke');
  const { files } = await listFiles(corpusRoot, DEFAULT_SELECTION);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const rel of files.filter((f) => f.startsWith('keystone/')).slice(0, 100)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(path.join(corpusRoot, rel), path.join(dir, rel));
  }
  return dir;
}

async function main() {
  const root = smoke ? await smokeRoot() : corpusRoot;
  const g = await loadPython();
  const listed = await listFiles(root, DEFAULT_SELECTION);
  const texts: { rel: string; text: string }[] = [];
  for (const rel of listed.files) {
    const r = readText(path.join(root, rel));
    if ('text' in r) texts.push({ rel, text: r.text });
  }
  const lines = texts.reduce((s, f) => s + new LineMap(f.text).lineCount, 0);
  const bytes = texts.reduce((s, f) => s + f.text.length, 0);
  console.log(`corpus: ${texts.length} files, ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB (${root}); ${RUNS} run(s) after a warm-up; ${os.availableParallelism()} cores`);

  // (1) raw parse
  const parser = g.newParser();
  const parseOnce = () => {
    const t = performance.now();
    for (const f of texts) parser.parse(f.text)?.delete();
    return performance.now() - t;
  };
  // (2) ruff
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ruff = require('@astral-sh/ruff-wasm-nodejs') as typeof import('@astral-sh/ruff-wasm-nodejs');
  const ws = new ruff.Workspace({ lint: { select: ['DJ', 'FAST', 'E9', 'F'] } }, ruff.PositionEncoding.Utf16);
  // the settings must select the rules: a probe with an F401 and an F821 must report both
  const probe = (ws.check('import os\nx = undefined_name\n') as { code?: string }[]).map((d) => d.code).sort();
  if (probe.join() !== 'F401,F821') throw new Error(`ruff settings select nothing useful: probe gave ${JSON.stringify(probe)}`);
  let ruffDiagnostics = 0;
  const ruffOnce = () => {
    const t = performance.now();
    let n = 0;
    for (const f of texts) n += (ws.check(f.text) as unknown[]).length;
    ruffDiagnostics = n;
    return performance.now() - t;
  };
  // (3) scans
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-bench-cache-'));
  let findings = 0;
  let lastIndex: ModuleIndex | undefined;
  let coldStats = '';
  // (cold: a new, empty cache directory, as the server's first scan of a folder has. The scan's cache is written
  // WRITE_CACHE_AFTER_MS after its results, as the server has it; written here once the scan is timed, and timed apart)
  const cacheWrites: number[] = [];
  const coldOnce = async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-bench-cold-'));
    const t = performance.now();
    const r = await scanWorkspace(root, { settings, cacheDir: empty, keepWorkersMs: KEEP_WORKERS_MS, writeCacheAfterMs: WRITE_CACHE_AFTER_MS });
    const ms = performance.now() - t;
    const tw = performance.now();
    flushCacheWrites();
    cacheWrites.push(performance.now() - tw);
    fs.rmSync(empty, { recursive: true, force: true });
    findings = r.files.reduce((s, f) => s + f.findings.length, 0);
    lastIndex = r.index;
    coldStats = JSON.stringify(r.stats);
    return ms;
  };
  let warmStats = '';
  const warmOnce = async () => {
    const t = performance.now();
    const r = await scanWorkspace(root, { settings, cacheDir, keepWorkersMs: KEEP_WORKERS_MS, writeCacheAfterMs: WRITE_CACHE_AFTER_MS });
    const ms = performance.now() - t;
    flushCacheWrites(); // (nothing changed: nothing to write)
    warmStats = JSON.stringify({ hits: r.stats.analysisCacheHits, parsed: r.stats.indexParsed + r.stats.analysisParsed, ms: r.stats.ms });
    return ms;
  };

  // warm-up of everything (JIT, wasm tiers, file cache), and the scan cache primed. The cold scan is warmed up
  // until its code is optimized: ≈ 3 scans in one lane, ≈ 5 with a kept worker (keptPool.ts: two lanes and V8's
  // compiler threads share 2 cores); the warm-up's figures are printed, and the first scans of fresh processes below
  parseOnce();
  ruffOnce();
  const warmupCold: number[] = [];
  for (let i = 0; i < (smoke ? 1 : WARMUP_COLD); i++) warmupCold.push(await coldOnce());
  console.log(`cold scans of the warm-up (ms): ${warmupCold.map((x) => x.toFixed(0)).join(', ')}`);
  await scanWorkspace(root, { settings, cacheDir, keepWorkersMs: KEEP_WORKERS_MS, writeCacheAfterMs: WRITE_CACHE_AFTER_MS });
  await new Promise((r) => setTimeout(r, 2100)); // files older than the cache's trust window
  await scanWorkspace(root, { settings, cacheDir, keepWorkersMs: KEEP_WORKERS_MS, writeCacheAfterMs: WRITE_CACHE_AFTER_MS });
  flushCacheWrites();

  const parse: number[] = [];
  const ruffMs: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    parse.push(parseOnce());
    ruffMs.push(ruffOnce());
    cold.push(await coldOnce());
    warm.push(await warmOnce());
  }
  await closeKeptPool();
  console.log(`cold scan stats: ${coldStats}`);
  console.log(`cold scan's cache write, made after its results as the server makes it (ms, not in the scan's figure): median ${median(cacheWrites).toFixed(1)}, max ${Math.max(...cacheWrites).toFixed(1)}`);
  console.log(`warm scan stats: ${warmStats}`);

  // (4) edit latency through the server's incremental path
  const largest = texts.reduce((a, b) => (b.text.length > a.text.length ? b : a));
  const big = bigFlaskFile(5000);
  const editCases = [
    { name: `${largest.rel} (${new LineMap(largest.text).lineCount} lines)`, rel: largest.rel, text: largest.text, index: lastIndex },
    { name: `flask app (${new LineMap(big).lineCount} lines)`, rel: 'blog/big.py', text: big, index: (await scanWorkspace(path.join(repo, 'examples/flask-blog'), { settings, threads: 1 })).index },
  ];
  // (each run: every case's edits, once; the p50 and p95 are taken per run over both cases' edits, and the figures
  // are their medians over the runs, after a warm-up run, as for the other timed figures)
  const editRun = (log: boolean) => editCases.map((c) => editLatency(g, c.rel, c.text, c.index, smoke ? 40 : 200, smoke ? 10 : 50, true, log));
  editRun(false);
  const runs: number[][][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(editRun(i === RUNS - 1));
  const editP50 = median(runs.map((r) => median(r.flat())));
  const editP95 = median(runs.map((r) => pct(r.flat(), 95)));
  const perCase = editCases.map((c, k) => `${c.name}: p50 ${median(runs.map((r) => median(r[k]))).toFixed(2)} ms, p95 ${median(runs.map((r) => pct(r[k], 95))).toFixed(2)} ms (medians of ${RUNS} runs; p95 per run ${runs.map((r) => pct(r[k], 95).toFixed(1)).join(', ')})`);
  // the same edits left in place, once: the file piles up unclosed brackets (tree-sitter's own reparse slows down)
  const cumulative = editCases.map((c) => {
    const piled = editLatency(g, c.rel, c.text, c.index, smoke ? 40 : 200, smoke ? 10 : 50, false, true);
    return `${c.name}: p50 ${median(piled).toFixed(2)} ms, p95 ${pct(piled, 95).toFixed(2)} ms`;
  });

  // (5) peak RSS of the language server process after its cold scan of the corpus (serverRss.ts), and, as measured
  // until step 57, of a process that only scans (rssChild.ts: ≈ 20 MB less, no LSP, no checklist)
  const server = await serverPeakRss(path.join(__dirname, 'server.js'), root, process.execArgv);
  const rssMb = server.peakMb;
  const child = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'rssChild.js'), root], { encoding: 'utf8' });
  const rss = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { maxRSSKb?: number; scanMs?: number; threads?: number };
  const scanOnlyMb = (rss.maxRSSKb ?? NaN) / 1024;

  const ratioCold = median(cold.map((c, i) => c / ruffMs[i]));
  const ratioWarm = median(warm.map((w, i) => w / ruffMs[i]));
  const row = (k: string, v: string, target = '') => console.log(`${k.padEnd(34)}${v.padStart(14)}  ${target}`);
  console.log('');
  row('measure', 'value', 'target');
  row('files / lines', `${texts.length} / ${lines}`);
  row('tree-sitter parse (ms)', median(parse).toFixed(0));
  row(`ruff check (ms, ${ruffDiagnostics} diags)`, median(ruffMs).toFixed(0));
  row(`scan cold (ms, ${findings} findings)`, median(cold).toFixed(0));
  row('scan warm (ms)', median(warm).toFixed(1));
  row('cold / ruff', ratioCold.toFixed(2), '<= 1.0');
  row('warm / ruff', ratioWarm.toFixed(3), '<= 0.1');
  row('edit p50 (ms)', editP50.toFixed(2));
  row('edit p95 (ms)', editP95.toFixed(2), '<= 10');
  row('peak RSS, server after its cold scan (MB)', rssMb.toFixed(0), '<= 150');
  row('peak RSS, the scan alone (MB)', scanOnlyMb.toFixed(0));
  row(`first scan of the server (ms, ${server.occurrences} occurrences)`, server.scanMs.toFixed(0));
  row(`first scan, scan alone (ms, ${rss.threads ?? '?'} lanes)`, (rss.scanMs ?? NaN).toFixed(0));
  for (const p of perCase) console.log(`  edits, ${p}`);
  for (const p of cumulative) console.log(`  edits never undone (not the target's protocol), ${p}`);
  console.log('');
  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      files: texts.length,
      lines,
      parse_ms: r2(median(parse)),
      ruff_ms: r2(median(ruffMs)),
      scan_cold_ms: r2(median(cold)),
      scan_warm_ms: r2(median(warm)),
      ratio_cold_vs_ruff: Math.round(ratioCold * 1000) / 1000,
      ratio_warm_vs_ruff: Math.round(ratioWarm * 1000) / 1000,
      edit_p50_ms: r2(editP50),
      edit_p95_ms: r2(editP95),
      rss_mb: r2(rssMb),
    }),
  );
  fs.rmSync(cacheDir, { recursive: true, force: true });
  ws.free();
  parser.delete();
}

/** A Flask module of about n lines: the example blog's views, repeated. */
function bigFlaskFile(n: number): string {
  const parts = ['api.py', 'auth.py', 'posts.py'].map((f) => fs.readFileSync(path.join(repo, 'examples/flask-blog/blog', f), 'utf8'));
  let out = '';
  let k = 0;
  while (out.split('\n').length < n) {
    out += parts[k % parts.length].replace(/def (\w+)\(/g, `def $1_${k}(`) + '\n';
    k++;
  }
  return out.split('\n').slice(0, n).join('\n') + '\n';
}

/**
 * Edit → fresh diagnostics, as the server does it: DocumentStore.change (tree.edit + incremental reparse), then
 * analyzeDocument with the previous analysis (incremental where it can be, else full), then the diagnostics it
 * publishes (lsp/diagnostics.ts), as lsp/service.ts does. After each edit, untimed, what the server does between
 * keystrokes: lsp/idleCollector.ts (its collections are counted and timed apart).
 * With `undo`, each edit is made to the file as it is and then deleted again (a keystroke and its backspace: both
 * didChanges are timed); without, the edits pile up. With `log`, what the run did is printed (its full analyses and
 * why, the reparse alone, the collections between keystrokes).
 */
function editLatency(g: Awaited<ReturnType<typeof loadPython>>, rel: string, text: string, index: ModuleIndex | undefined, chars: number, pastes: number, undo: boolean, log: boolean): number[] {
  const store = new DocumentStore(g);
  const fallbacks = new Map<string, number>();
  const uri = `file:///bench/${rel}`;
  store.open(uri, 'python', 1, text);
  const random = rng(42);
  const times: number[] = [];
  const reparse: number[] = []; // DocumentStore.change alone: tree.edit + tree-sitter's incremental reparse
  const paste = '        value = request.args.get("q", type=int)  # pasted\n';
  let prev: Analysis | undefined;
  // (to the diagnostics the server would publish: lsp/service.ts)
  const diagnostics = new Diagnostics(path.join(repo, 'docs', 'rules'));
  // (what the server does once an edit's diagnostics are out, between keystrokes: not part of the edit's latency;
  // its cost is printed below)
  const idle = new IdleCollector();
  const doAnalyze = () => {
    const d = store.get(uri)!;
    const a = analyzeDocument(g, d, { settings, path: rel, index }, RULES, prev);
    const published = diagnostics.of(a.findings, a.markers, a.lines, d.version);
    if (prev && lastFallback) fallbacks.set(lastFallback, (fallbacks.get(lastFallback) ?? 0) + 1);
    prev?.dispose();
    prev = a;
    return published.length;
  };
  doAnalyze(); // opening the document is not an edit
  let version = 1;
  const ops: ('char' | 'paste')[] = [...Array(chars).fill('char'), ...Array(pastes).fill('paste')];
  for (let i = ops.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ops[i], ops[j]] = [ops[j], ops[i]];
  }
  for (const op of ops) {
    const cur = store.get(uri)!.text;
    const lm = new LineMap(cur);
    type Pos = { line: number; character: number };
    let change: { range: { start: Pos; end: Pos }; text: string };
    if (op === 'char') {
      const at = Math.floor(random() * cur.length);
      const pos = lm.position(at);
      change = { range: { start: pos, end: pos }, text: 'abcdefghij ()'[Math.floor(random() * 13)] };
    } else {
      const line = Math.floor(random() * lm.lineCount);
      const pos = { line, character: 0 };
      change = { range: { start: pos, end: pos }, text: paste };
    }
    const timed = (c: typeof change) => {
      const t = performance.now();
      store.change(uri, ++version, [c]);
      reparse.push(performance.now() - t);
      doAnalyze();
      times.push(performance.now() - t);
      idle.afterEdit();
    };
    timed(change);
    if (undo) timed({ range: { start: change.range.start, end: new LineMap(store.get(uri)!.text).position(lm.offset(change.range.start) + change.text.length) }, text: '' });
  }
  prev?.dispose();
  store.dispose();
  if (!log) return times;
  console.log(`  edits of ${rel}${undo ? ' (each undone)' : ' (never undone)'}: ${times.length - [...fallbacks.values()].reduce((s, n) => s + n, 0)} of ${times.length} incremental; full: ${JSON.stringify(Object.fromEntries(fallbacks))}; reparse alone p50 ${median(reparse).toFixed(2)} / p95 ${pct(reparse, 95).toFixed(2)} ms`);
  const c = idle.collections;
  console.log(`    between keystrokes: ${idle.enabled ? `${c.length} young-generation collections (one per ${(times.length / Math.max(1, c.length)).toFixed(1)} edits), p50 ${c.length ? median(c).toFixed(2) : '-'} / max ${c.length ? Math.max(...c).toFixed(2) : '-'} ms` : 'no collections (V8 gc function unavailable)'}`);
  return times;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
