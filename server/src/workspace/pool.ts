// Runs scan work (scanCore.ts) on worker threads, or in this thread. Work is handed out in batches as workers
// become free; work that must reuse a tree kept by one worker goes to that worker.
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

export interface Runner {
  /** parallel workers (1 for the in-thread runner) */
  readonly size: number;
  /** runs the work; `owner(i)` names the worker that must do item i (or -1) and results say who did it */
  run(work: Work[], opts: { owner?: (i: number) => number; onResults?: (r: WorkResult[]) => void; cancelled?: () => boolean }): Promise<{ results: WorkResult[]; by: number[]; parsed: number; cancelled: boolean }>;
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

const BATCH_BYTES = 256 * 1024;
const BATCH_ITEMS = 32;

function batches(items: number[], work: Work[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const i of items) {
    cur.push(i);
    bytes += work[i].text.length;
    if (bytes >= BATCH_BYTES || cur.length >= BATCH_ITEMS) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

export class InThreadRunner implements Runner {
  readonly size = 1;
  private constructor(private readonly core: ScanCore) {}

  static async create(rules: readonly LoadedRule[], settings: Settings): Promise<InThreadRunner> {
    return new InThreadRunner(new ScanCore(await loadPython(), rules, settings));
  }

  async run(work: Work[], opts: { onResults?: (r: WorkResult[]) => void; cancelled?: () => boolean }) {
    const results: WorkResult[] = [];
    const by: number[] = [];
    const before = this.core.parsed;
    let cancelled = false;
    for (const b of batches(work.map((_, i) => i), work)) {
      if (opts.cancelled?.()) {
        cancelled = true;
        break;
      }
      const rs = b.map((i) => this.core.run(work[i]));
      b.forEach((i, k) => {
        results[i] = rs[k];
        by[i] = 0;
      });
      opts.onResults?.(rs);
      await new Promise<void>((r) => setImmediate(r)); // let cancellation and progress through
    }
    return { results, by, parsed: this.core.parsed - before, cancelled };
  }

  setIndex(index: ModuleIndex, _s: [string, ModuleSummary][], settings: Settings) {
    this.core.setIndexObject(index, settings);
  }

  async close() {
    this.core.dispose();
  }
}

export class WorkerRunner implements Runner {
  private nextId = 1;
  private constructor(private readonly workers: Worker[]) {}

  get size() {
    return this.workers.length;
  }

  /** Starts n workers, each loading the grammar; resolves when all are ready. */
  static async create(n: number, settings: Settings): Promise<WorkerRunner> {
    const script = workerScript();
    if (!script) throw new Error('scan worker script not found');
    const workers: Worker[] = [];
    for (let i = 0; i < n; i++) {
      const w = script.ts
        ? new Worker(`require(${JSON.stringify(createRequire(__filename).resolve('tsx/cjs'))}); require(${JSON.stringify(script.file)});`, { eval: true })
        : new Worker(script.file);
      workers.push(w);
    }
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onMsg = (m: FromWorker) => {
              if (m.type === 'ready') {
                w.off('message', onMsg);
                w.off('error', reject);
                resolve();
              }
            };
            w.on('message', onMsg);
            w.once('error', reject);
            w.postMessage({ type: 'init', settings } satisfies ToWorker);
          }),
      ),
    );
    for (const w of workers) w.unref();
    return new WorkerRunner(workers);
  }

  setIndex(_index: ModuleIndex, summaries: [string, ModuleSummary][], settings: Settings) {
    for (const w of this.workers) w.postMessage({ type: 'index', summaries, settings } satisfies ToWorker);
  }

  run(work: Work[], opts: { owner?: (i: number) => number; onResults?: (r: WorkResult[]) => void; cancelled?: () => boolean }) {
    const n = this.workers.length;
    const own: number[][] = Array.from({ length: n }, () => []);
    const shared: number[] = [];
    work.forEach((_, i) => {
      const o = opts.owner?.(i) ?? -1;
      if (o >= 0 && o < n) own[o].push(i);
      else shared.push(i);
    });
    const ownQ = own.map((items) => batches(items, work));
    const sharedQ = batches(shared, work);
    const results: WorkResult[] = new Array(work.length);
    const by: number[] = new Array(work.length);
    let parsed = 0;
    let cancelled = false;
    return new Promise<{ results: WorkResult[]; by: number[]; parsed: number; cancelled: boolean }>((resolve, reject) => {
      let busy = 0;
      let failed = false;
      const inflight = new Map<number, number[]>();
      const listeners: (() => void)[] = [];
      let ended = false;
      const finish = () => {
        if (ended) return;
        ended = true;
        for (const off of listeners) off();
        resolve({ results, by, parsed, cancelled });
      };
      const feed = (k: number) => {
        if (failed) return;
        if (opts.cancelled?.()) cancelled = true;
        const batch = cancelled ? undefined : ownQ[k].shift() ?? sharedQ.shift();
        if (!batch) {
          if (busy === 0) finish();
          return;
        }
        const id = this.nextId++;
        inflight.set(id, batch);
        busy++;
        this.workers[k].postMessage({ type: 'batch', id, work: batch.map((i) => work[i]) } satisfies ToWorker);
      };
      this.workers.forEach((w, k) => {
        const onMsg = (m: FromWorker) => {
          if (m.type === 'error') {
            failed = true;
            for (const off of listeners) off();
            reject(new Error(`scan worker failed: ${m.message}`));
            return;
          }
          if (m.type !== 'done') return;
          const batch = inflight.get(m.id);
          if (!batch) return;
          inflight.delete(m.id);
          busy--;
          parsed += m.parsed;
          batch.forEach((i, j) => {
            results[i] = m.results[j];
            by[i] = k;
          });
          opts.onResults?.(m.results);
          feed(k);
          if (busy === 0 && !ownQ.some((q) => q.length) && !sharedQ.length) finish();
        };
        const onErr = (e: Error) => {
          failed = true;
          for (const off of listeners) off();
          reject(e);
        };
        w.on('message', onMsg);
        w.on('error', onErr);
        listeners.push(() => {
          w.off('message', onMsg);
          w.off('error', onErr);
        });
      });
      for (let k = 0; k < n; k++) feed(k);
    });
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
