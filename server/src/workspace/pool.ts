// Runs scan work (scanCore.ts) in this thread and, for large scans, on worker threads that join when they have
// started. This thread starts at once (its grammar loads in ≈ 20 ms, and a server has it loaded already), while a
// worker needs ≈ 60 ms to start and ≈ 150 ms more before its first analysis (bundle, grammar, queries): so
// waiting for workers, as the scan once did, only delayed the work, and each worker's wasm heap adds to the
// process's memory. Work is taken largest first; a file parsed for the index is analyzed where its tree was kept,
// unless that lane is busy and another has nothing left to do (it parses the file again: cheaper than waiting).
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
  setIndex(index: ModuleIndex, summaries: [string, ModuleSummary][], settings: Settings): void;
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

/** A worker's batch: small enough that the lanes finish close together, large enough to amortize a message. */
const BATCH_CHARS = 96 * 1024;
const BATCH_ITEMS = 16;

interface Lane {
  worker: Worker;
  ready: boolean;
  busy: boolean;
}

/** One run's queues: per lane the items whose tree it holds, and the rest; each largest first. */
class RunState {
  readonly results: WorkResult[];
  readonly by: number[];
  readonly own: number[][];
  readonly shared: number[];
  parsed = 0;
  done = 0;
  cancelled = false;
  failed: Error | undefined;
  inflight = 0;
  wake: (() => void) | undefined;

  constructor(
    readonly work: Work[],
    readonly opts: RunOptions,
    lanes: number,
  ) {
    this.results = new Array(work.length);
    this.by = new Array(work.length);
    this.own = Array.from({ length: lanes }, () => []);
    this.shared = [];
    const order = work.map((_, i) => i).sort((a, b) => work[b].text.length - work[a].text.length || a - b);
    for (const i of order) {
      const o = opts.owner?.(i) ?? -1;
      if (o >= 0 && o < lanes) this.own[o].push(i);
      else this.shared.push(i);
    }
  }

  /** The next item for a lane: its own, else a shared one, else the largest one another lane holds. */
  take(lane: number): number | undefined {
    if (this.cancelled || this.failed) return undefined;
    const mine = lane < this.own.length ? this.own[lane] : undefined;
    if (mine?.length) return mine.shift();
    if (this.shared.length) return this.shared.shift();
    let best = -1;
    for (let k = 0; k < this.own.length; k++) {
      const q = this.own[k];
      if (q.length && (best < 0 || this.work[q[0]].text.length > this.work[this.own[best][0]].text.length)) best = k;
    }
    return best >= 0 ? this.own[best].shift() : undefined;
  }

  record(items: number[], results: WorkResult[], lane: number, parsed: number) {
    items.forEach((i, j) => {
      this.results[i] = results[j];
      this.by[i] = lane;
    });
    this.parsed += parsed;
    this.done += items.length;
    this.opts.onResults?.(results);
  }

  get finished() {
    return this.done === this.work.length || ((this.cancelled || !!this.failed) && this.inflight === 0);
  }
}

export class Pool implements Runner {
  private readonly lanes: Lane[] = [];
  private current: RunState | undefined;
  private nextId = 1;
  private readonly batches = new Map<number, { items: number[]; state: RunState }>();

  private constructor(
    private readonly core: ScanCore,
    private readonly settings: Settings,
  ) {}

  /** This thread's lane, ready at once; workers are added by addWorkers. */
  static async create(rules: readonly LoadedRule[], settings: Settings): Promise<Pool> {
    return new Pool(new ScanCore(await loadPython(), rules, settings), settings);
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
        ? new Worker(`require(${JSON.stringify(createRequire(__filename).resolve('tsx/cjs'))}); require(${JSON.stringify(script.file)});`, { eval: true })
        : new Worker(script.file);
      const lane: Lane = { worker, ready: false, busy: false };
      const k = this.lanes.push(lane); // its lane number: 0 is this thread
      worker.on('message', (m: FromWorker) => this.onMessage(k, lane, m));
      worker.on('error', (e: Error) => this.fail(e));
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

  setIndex(index: ModuleIndex, summaries: [string, ModuleSummary][], settings: Settings) {
    this.core.setIndexObject(index, settings);
    // a worker still starting gets it after its init (messages keep their order)
    for (const l of this.lanes) l.worker.postMessage({ type: 'index', summaries, settings } satisfies ToWorker);
  }

  async run(work: Work[], opts: RunOptions): Promise<RunResult> {
    const st = new RunState(work, opts, this.size);
    this.current = st;
    for (let k = 1; k <= this.lanes.length; k++) this.feed(k);
    try {
      // this thread's lane: one item at a time, yielding in between so that workers' results and cancellation
      // get through
      for (;;) {
        if (opts.cancelled?.()) st.cancelled = true;
        const i = st.take(0);
        if (i === undefined) break;
        const before = this.core.parsed;
        const res = this.core.run(work[i]);
        st.record([i], [res], 0, this.core.parsed - before);
        for (let k = 1; k <= this.lanes.length; k++) this.feed(k);
        await new Promise<void>((r) => setImmediate(r));
      }
      while (!st.finished) await new Promise<void>((r) => (st.wake = r));
    } finally {
      this.current = undefined;
    }
    if (st.failed) throw st.failed;
    return { results: st.results, by: st.by, parsed: st.parsed, cancelled: st.cancelled && st.done < work.length };
  }

  /** Gives an idle, started worker its next batch of the current run. */
  private feed(k: number) {
    const lane = this.lanes[k - 1];
    const st = this.current;
    if (!st || !lane.ready || lane.busy) return;
    if (st.opts.cancelled?.()) st.cancelled = true;
    const items: number[] = [];
    let chars = 0;
    while (chars < BATCH_CHARS && items.length < BATCH_ITEMS) {
      const i = st.take(k);
      if (i === undefined) break;
      items.push(i);
      chars += st.work[i].text.length;
    }
    if (!items.length) return;
    const id = this.nextId++;
    this.batches.set(id, { items, state: st });
    lane.busy = true;
    st.inflight++;
    lane.worker.postMessage({ type: 'batch', id, work: items.map((i) => st.work[i]) } satisfies ToWorker);
  }

  private onMessage(k: number, lane: Lane, m: FromWorker) {
    if (m.type === 'ready') {
      lane.ready = true;
      this.feed(k);
      return;
    }
    if (m.type === 'error') {
      this.fail(new Error(`scan worker failed: ${m.message}`));
      return;
    }
    const b = this.batches.get(m.id);
    if (!b) return;
    this.batches.delete(m.id);
    lane.busy = false;
    b.state.inflight--;
    b.state.record(b.items, m.results, k, m.parsed);
    this.feed(k);
    b.state.wake?.();
  }

  private fail(e: Error) {
    const st = this.current;
    if (!st) return;
    st.failed ??= e;
    st.inflight = 0;
    st.wake?.();
  }

  async close() {
    this.core.dispose();
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }
}
