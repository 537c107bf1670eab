// The language server keeps its scan pool between scans. A worker started per scan spends that scan starting
// (≈ 200 ms before its first analysis) and running unoptimized code; kept, its code is optimized after a few scans
// and two lanes take the benchmark corpus's analysis phase from ≈ 210–250 ms to ≈ 130–160 ms (docs/performance.md,
// step 56), and share the reading of the files (step 57). A worker still starts only for IN_THREAD_BELOW of work
// (scan.ts): started for less, it cost the server ≈ 20 MB of peak RSS more than the target allows (step 58). One pool
// is kept, idle for at most `ms`; idle workers do not keep the process alive.
import type { LoadedRule } from '../analysis/rule';
import type { Pool } from './pool';

let kept: { pool: Pool; timer: ReturnType<typeof setTimeout> } | undefined;

/** The kept pool for these rules with at most `lanes` lanes, taken out (a concurrent scan makes its own), or undefined. */
export function takeKeptPool(rules: readonly LoadedRule[], lanes: number): Pool | undefined {
  if (kept && !kept.pool.reusable) {
    // a worker of it exited while it was idle: closed now, not at its time
    void closeKeptPool();
    return undefined;
  }
  if (!kept || kept.pool.rules !== rules || kept.pool.size > lanes) return undefined;
  const { pool, timer } = kept;
  clearTimeout(timer);
  kept = undefined;
  pool.acquire();
  return pool;
}

/** Keeps a pool that a scan is done with for the next scan, for at most `ms` idle; the larger of two is kept. */
export async function keepPool(pool: Pool, ms: number): Promise<void> {
  if (!pool.reusable || ms <= 0) return pool.close();
  let other: Pool | undefined = pool;
  if (!kept || kept.pool.size <= pool.size) {
    if (kept) clearTimeout(kept.timer);
    other = kept?.pool;
    pool.release();
    const timer = setTimeout(() => {
      if (kept?.pool === pool) kept = undefined;
      void pool.close();
    }, ms);
    timer.unref();
    kept = { pool, timer };
  }
  await other?.close();
}

/** Closes the kept pool, if any (tests; a server shutting down). */
export async function closeKeptPool(): Promise<void> {
  const k = kept;
  kept = undefined;
  if (!k) return;
  clearTimeout(k.timer);
  await k.pool.close();
}
