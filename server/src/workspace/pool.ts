// Runs scan work (scanCore.ts) in this thread and, for large scans, on worker threads that join when they have
// started. This thread starts at once (its grammar loads in ≈ 20 ms, and a server has it loaded already), while a
// worker needs ≈ 60 ms to start and ≈ 150 ms more before its first analysis (bundle, grammar, queries): so
// waiting for workers, as the scan once did, only delayed the work, and each worker's wasm heap adds to the
// process's memory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { ModuleIndex, ModuleSummary } from '../analysis/moduleIndex';
import type { Settings } from '../analysis/types';
import type { LoadedRule } from '../analysis/rule';
import { loadPython } from '../parsing/python';
import { ScanCore, type Work, type WorkResult } from './scanCore';
import type { FromWorker, ToWorker } from './scanWorker';

/**
 * A worker's young generation, at most (V8's default is twice as large): a worker kept by the server takes part in
 * every scan, and the peak RSS of a cold scan with one was 139–147 MB with the default, 129–136 with this (8 fresh
 * processes, the benchmark corpus; docs/performance.md, step 56).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** This thread's lane lets messages through at most this often (workers' results, progress, cancellation). */
const YIELD_EVERY_MS = 1;

export interface RunResult {
  results: WorkResult[];
  /** the lane that did each item: 0 = this thread, k ≥ 1 = the k-th worker */
  by: number[];
  parsed: number;
  cancelled: boolean;
}

export interface RunOptions {
  /** the lane that holds item i's tree (-1: none) */
  owner?: (i: number) => number;
  onResults?: (r: WorkResult[]) => void;
  cancelled?: () => boolean;
}

export interface Runner {
  /** lanes: this thread plus the workers started so far */
  readonly size: number;
  run(work: Work[], opts: RunOptions): Promise<RunResult>;
  /** `summaries`: what a worker builds its own index from (asked only when there are workers) */
  setIndex(index: ModuleIndex, summaries: () => [string, ModuleSummary][], settings: Settings): void;
  close(): Promise<void>;
}

/** Where the worker script is: beside this file (tsx, from source) or beside the bundle (dist/scanWorker.js). */
function workerScript(): { file: string; ts: boolean } | undefined {
  const ts = path.join(__dirname, 'scanWorker.ts');
  if (__filename.endsWith('.ts') && fs.existsSync(ts)) return { file: ts, ts: true };
  const js = path.join(__dirname, 'scanWorker.js');
  return fs.existsSync(js) ? { file: js, ts: false } : undefined;
}

export function workersAvailable(): boolean {
  return !!workerScript();
}

interface Lane {
  worker: Worker;
  ready: boolean;
}

/** The run in progress: results as they come in. */
interface Current {
  id: number;
  results: WorkResult[];
  by: number[];
  parsed: number;
  done: number;
  failed?: Error;
  wake?: () => void;
  onResults?: (r: WorkResult[]) => void;
}

/**
 * The lanes take the items themselves: each walks its own order and claims an item with an atomic flag in shared
 * memory, so a worker never waits for this thread (which hands nothing out: it may be inside one analysis for
 * 200 ms). This thread takes the largest items first and each worker the smallest: a worker started for this scan
 * (or kept from a few scans before, keptPool.ts) runs code not optimized yet, so a large file there could finish long after the rest;
 * from both ends the lanes meet in the middle and finish together. A lane takes the items whose tree it kept
 * first; another lane that takes one of them parses the file again.
 */
export class Pool implements Runner {
  private readonly lanes: Lane[] = [];
  private current: Current | undefined;
  private nextId = 1;
  private closing = false;
  /** a worker failed or exited: the pool must not be kept for another scan */
  private failedOnce = false;

  private constructor(
    private readonly core: ScanCore,
    private readonly settings: Settings,
    readonly rules: readonly LoadedRule[],
  ) {}

  /** This thread's lane, ready at once; workers are added by addWorkers. */
  static async create(rules: readonly LoadedRule[], settings: Settings): Promise<Pool> {
    return new Pool(new ScanCore(await loadPython(), rules, settings), settings, rules);
  }

  /** Whether the pool can serve another scan (keptPool.ts): no worker failed, not closed. */
  get reusable() {
    return !this.failedOnce && !this.closing;
  }

  /**
   * The scan is over and the pool is kept for the next one: trees kept for analyses that did not come and the index
   * are dropped in every lane, and the idle workers no longer keep the process alive (a CLI exits).
   */
  release() {
    this.core.reset();
    for (const l of this.lanes) {
      l.worker.postMessage({ type: 'reset' } satisfies ToWorker);
      l.worker.unref();
    }
  }

  /** A kept pool taken by a scan: its workers keep the process alive again while it waits for their results. */
  acquire() {
    for (const l of this.lanes) l.worker.ref();
  }

  get size() {
    return 1 + this.lanes.length;
  }

  /** Starts workers (the generated rules only) until there are n; they take work once they have started. */
  addWorkers(n: number) {
    const script = workerScript();
    if (!script) return;
    while (this.lanes.length < n) {
      const worker = script.ts
        ? new Worker(`require(${JSON.stringify(createRequire(__filename).resolve('tsx/cjs'))}); require(${JSON.stringify(script.file)});`, { eval: true, resourceLimits: WORKER_LIMITS })
        : new Worker(script.file, { resourceLimits: WORKER_LIMITS });
      const lane: Lane = { worker, ready: false };
      const k = this.lanes.push(lane); // its lane number: 0 is this thread
      worker.on('message', (m: FromWorker) => this.onMessage(k, lane, m));
      worker.on('error', (e: Error) => this.fail(e));
      // an exit that close() did not ask for loses the items the worker had taken
      worker.on('exit', (code) => this.closing || this.fail(new Error(`scan worker exited (${code})`)));
      worker.postMessage({ type: 'init', settings: this.settings } satisfies ToWorker);
    }
  }

  /** Resolves when every worker added so far has started (for tests: work goes to this thread until then). */
  started(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.lanes.every((l) => l.ready) ? resolve() : setTimeout(check, 5));
      check();
    });
  }

  setIndex(index: ModuleIndex, summaries: () => [string, ModuleSummary][], settings: Settings) {
    this.core.setIndexObject(index, settings);
    if (!this.lanes.length) return;
    const list = summaries();
    // a worker still starting gets it after its init (messages keep their order)
    for (const l of this.lanes) l.worker.postMessage({ type: 'index', summaries: list, settings } satisfies ToWorker);
  }

  async run(work: Work[], opts: RunOptions): Promise<RunResult> {
    const n = work.length;
    // claims[i] = 1 once a lane took item i; claims[n] = 1 once the run is cancelled
    const claims = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
    // (files to read have no size yet: this thread reads from the front of the listing, workers from its end)
    const size = work.map((w) => (w.kind === 'read' ? 0 : w.text.length));
    const largestFirst = work.map((_, i) => i).sort((a, b) => size[b] - size[a] || a - b);
    const ownedBy = (lane: number) => largestFirst.filter((i) => (opts.owner?.(i) ?? -1) === lane);
    const cur: Current = { id: this.nextId++, results: new Array(n), by: new Array(n), parsed: 0, done: 0, onResults: opts.onResults };
    this.current = cur;
    const smallestFirst = [...largestFirst].reverse();
    this.lanes.forEach((l, j) => l.worker.postMessage({ type: 'run', id: cur.id, work, order: [...ownedBy(j + 1), ...smallestFirst], claims: claims.buffer as SharedArrayBuffer } satisfies ToWorker));
    let cancelled = false;
    let yielded = performance.now();
    try {
      for (const i of [...ownedBy(0), ...largestFirst]) {
        if (cur.failed) break;
        if (opts.cancelled?.()) {
          cancelled = true;
          Atomics.store(claims, n, 1);
          break;
        }
        if (Atomics.compareExchange(claims, i, 0, 1) !== 0) continue;
        const before = this.core.parsed;
        const res = this.core.run(work[i]);
        this.record(cur, i, res, 0, this.core.parsed - before);
        // lets workers' results, progress and cancellation through (each millisecond: a read takes ≈ 50 µs)
        if (performance.now() - yielded >= YIELD_EVERY_MS) {
          await new Promise<void>((r) => setImmediate(r));
          yielded = performance.now();
        }
      }
      // the rest is in workers' hands (a cancelled run does not wait: the pool is closed, which stops them)
      while (!cancelled && !cur.failed && cur.done < n) {
        await new Promise<void>((r) => (cur.wake = r));
        if (opts.cancelled?.()) cancelled = true;
      }
    } finally {
      Atomics.store(claims, n, 1);
      this.current = undefined;
    }
    if (cur.failed) throw cur.failed;
    return { results: cur.results, by: cur.by, parsed: cur.parsed, cancelled: cancelled && cur.done < n };
  }

  private record(cur: Current, i: number, res: WorkResult, lane: number, parsed: number) {
    cur.results[i] = res;
    cur.by[i] = lane;
    cur.parsed += parsed;
    cur.done++;
    cur.onResults?.([res]);
  }

  private onMessage(k: number, lane: Lane, m: FromWorker) {
    if (m.type === 'ready') {
      lane.ready = true;
      return;
    }
    if (m.type === 'error') {
      this.fail(new Error(`scan worker failed: ${m.message}`));
      return;
    }
    const cur = this.current;
    if (!cur || m.id !== cur.id) return; // results of a run that was cancelled
    for (const x of m.results) this.record(cur, x.i, x.result, k, x.parsed);
    cur.wake?.();
  }

  private fail(e: Error) {
    this.failedOnce = true;
    const cur = this.current;
    if (!cur) return;
    cur.failed ??= e;
    cur.wake?.();
  }

  async close() {
    this.closing = true;
    this.core.dispose();
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }
}
