// A scan worker thread: loads the grammar once (queries are compiled once per grammar by the engine), then runs
// batches of index/analyze work for the main thread (see scan.ts).
import { parentPort } from 'node:worker_threads';
import { loadPython } from '../parsing/python';
import { RULES } from '../rules/generated';
import { ScanCore, type Work, type WorkResult } from './scanCore';
import type { ModuleSummary } from '../analysis/moduleIndex';
import type { Settings } from '../analysis/types';

export type ToWorker =
  | { type: 'init'; settings: Settings }
  | { type: 'index'; summaries: [string, ModuleSummary][]; settings: Settings }
  | { type: 'batch'; id: number; work: Work[] }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; results: WorkResult[]; parsed: number }
  | { type: 'error'; id: number; message: string };

const port = parentPort!;
let core: ScanCore | undefined;
const pending: ToWorker[] = [];
let ready: Promise<void> | undefined;

function handle(msg: ToWorker) {
  switch (msg.type) {
    case 'index':
      core!.setIndex(msg.summaries, msg.settings);
      return;
    case 'batch': {
      try {
        const before = core!.parsed;
        const results = msg.work.map((w) => core!.run(w));
        port.postMessage({ type: 'done', id: msg.id, results, parsed: core!.parsed - before } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ type: 'error', id: msg.id, message: (e as Error).stack ?? String(e) } satisfies FromWorker);
      }
      return;
    }
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
      for (const m of pending.splice(0)) handle(m);
      port.postMessage({ type: 'ready' } satisfies FromWorker);
    });
    return;
  }
  if (!core) pending.push(msg);
  else handle(msg);
});
void ready;
