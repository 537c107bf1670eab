// Child process of the benchmark: one cold scan (no cache), then its peak RSS (worker threads included).
// On Linux the peak is VmHWM of /proc/self/status: getrusage's maxRSS is not reset by exec, so a child spawned by
// the (large) benchmark process reported the benchmark's own RSS at the spawn whenever that was higher.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEEP_WORKERS_MS, scanWorkspace, WRITE_CACHE_AFTER_MS } from '../server/src/workspace/scan';
import { flushCacheWrites } from '../server/src/workspace/cache';
import { closeKeptPool } from '../server/src/workspace/keptPool';
import { DEFAULT_SETTINGS } from '../server/src/analysis/types';

function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

(async () => {
  // a new, empty cache directory, as the server's first scan of a folder has
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-bench-rss-'));
  // (as the server scans: its worker, if it starts one, is kept for the next scan)
  const t = performance.now();
  const r = await scanWorkspace(process.argv[2], { settings: DEFAULT_SETTINGS, cacheDir, keepWorkersMs: KEEP_WORKERS_MS, writeCacheAfterMs: WRITE_CACHE_AFTER_MS });
  const scanMs = performance.now() - t;
  flushCacheWrites(); // (its peak includes the cache write that follows the scan)
  fs.rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ maxRSSKb: peakRssKb(), scanMs, rusageMaxRSSKb: process.resourceUsage().maxRSS, threads: r.stats.threads, files: r.files.length, findings: r.files.reduce((s, f) => s + f.findings.length, 0) }) + '\n');
  await closeKeptPool();
})();
