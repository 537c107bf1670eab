// A scan worker thread: loads the grammar once (queries are compiled once per grammar by the engine), then takes
// index/analyze items of each run from the shared claims, in its order, until none is left (see pool.ts).
import { parentPort } from 'node:worker_threads';
import { loadPython } from '../parsing/python';
import { RULES } from '../rules/generated';
import { ScanCore, type Work, type WorkResult } from './scanCore';
import type { ModuleSummary } from '../analysis/moduleIndex';
import type { Settings } from '../analysis/types';

export type ToWorker =
  | { type: 'init'; settings: Settings }
  | { type: 'index'; summaries: [string, ModuleSummary][]; settings: Settings }
  /** claims: Int32Array over it, 1 per item taken, and at [work.length] 1 when the run is cancelled */
  | { type: 'run'; id: number; work: Work[]; order: number[]; claims: SharedArrayBuffer }
  /** the scan is over and the worker is kept for the next one (scanCore.ts reset) */
  | { type: 'reset' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /** sent each POST_EVERY_MS at most, and when the worker runs out of items */
  | { type: 'results'; id: number; results: { i: number; result: WorkResult; parsed: number }[] }
  | { type: 'error'; id: number; message: string };

/** Results are posted in batches at most this often: a file of the read phase takes ≈ 50 µs, a message as much. */
const POST_EVERY_MS = 1;

const port = parentPort!;
let core: ScanCore | undefined;
const pending: ToWorker[] = [];
let ready: Promise<void> | undefined;

function handle(msg: ToWorker) {
  switch (msg.type) {
    case 'index':
      core!.setIndex(msg.summaries, msg.settings);
      return;
    case 'run': {
      const claims = new Int32Array(msg.claims);
      const cancelled = msg.work.length;
      let batch: { i: number; result: WorkResult; parsed: number }[] = [];
      let posted = performance.now();
      const post = () => {
        if (batch.length) port.postMessage({ type: 'results', id: msg.id, results: batch } satisfies FromWorker);
        batch = [];
        posted = performance.now();
      };
      for (const i of msg.order) {
        if (Atomics.load(claims, cancelled)) {
          post();
          return;
        }
        if (Atomics.compareExchange(claims, i, 0, 1) !== 0) continue;
        try {
          const before = core!.parsed;
          const result = core!.run(msg.work[i]);
          batch.push({ i, result, parsed: core!.parsed - before });
          if (performance.now() - posted >= POST_EVERY_MS) post();
        } catch (e) {
          post();
          port.postMessage({ type: 'error', id: msg.id, message: (e as Error).stack ?? String(e) } satisfies FromWorker);
          return;
        }
      }
      post();
      return;
    }
    case 'reset':
      core!.reset();
      return;
    case 'close':
      core?.dispose();
      port.close();
      return;
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    ready = loadPython().then((g) => {
      core = new ScanCore(g, RULES, msg.settings);
      port.postMessage({ type: 'ready' } satisfies FromWorker);
      for (const m of pending.splice(0)) handle(m);
    });
    return;
  }
  if (!core) pending.push(msg);
  else handle(msg);
});
void ready;
