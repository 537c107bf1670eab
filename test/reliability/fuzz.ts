// Seeded mutation fuzzer over real files (example apps, rule fixtures, Debian corpus slice).
//   node --import tsx test/reliability/fuzz.ts --seed 1 --count 100000 [--server 5000] [--workers 2]
//     [--timeout 10000] [--only <index>] [--no-corpus] [--out file]
// Each input runs in a child process with a time bound: a crash, a hang or a violated check is reported with the
// seed, index and mutations that reproduce it, minimized, and saved under test/reliability/crashes/.
// --server N: N more inputs through the bundled language server (dist/server.js) over stdio.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { ensureCorpus, CORPUS_DIR, ROOT } from './lib';
import { fuzzPool, makeInput, type FuzzInput } from './mutate';
import { loadPython } from '../../server/src/parsing/python';
import { RULES } from '../../server/src/rules/generated';
import { fuzzOne } from './fuzzCore';
import { fuzzServer } from './fuzzServer';

export interface Args {
  seed: number;
  count: number;
  server: number;
  workers: number;
  timeout: number;
  only?: number;
  corpus: boolean;
  out?: string;
  minimize: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    seed: Number(get('--seed') ?? 1),
    count: Number(get('--count') ?? 1000),
    server: Number(get('--server') ?? 0),
    workers: Number(get('--workers') ?? 2),
    timeout: Number(get('--timeout') ?? 10000),
    only: get('--only') !== undefined ? Number(get('--only')) : undefined,
    corpus: !argv.includes('--no-corpus'),
    out: get('--out'),
    minimize: !argv.includes('--no-minimize'),
    quiet: argv.includes('--quiet'),
  };
}

export const CRASH_DIR = path.join(__dirname, 'crashes');

export function poolFor(corpus: boolean) {
  let pkgs: string | undefined;
  if (corpus) {
    const p = path.join(CORPUS_DIR, 'root', 'usr', 'lib', 'python3', 'dist-packages');
    pkgs = fs.existsSync(p) ? p : ensureCorpus();
  }
  return fuzzPool(ROOT, pkgs, 3);
}

// ——— the child: runs inputs on request ———

type Req = { kind: 'index'; seed: number; index: number; corpus: boolean } | { kind: 'text'; text: string; target: FuzzInput['target'] };
type Res = { ok: true; ms: number; findings: number; fixes: number; violations: string[] } | { ok: false; ms: number; error: string };

async function child() {
  const g = await loadPython();
  const pools = new Map<boolean, ReturnType<typeof poolFor>>();
  process.on('message', (m: Req) => {
    const t0 = performance.now();
    let res: Res;
    try {
      let text: string;
      let target: FuzzInput['target'];
      if (m.kind === 'index') {
        let pool = pools.get(m.corpus);
        if (!pool) pools.set(m.corpus, (pool = poolFor(m.corpus)));
        ({ text, target } = makeInput(m.seed, m.index, pool));
      } else ({ text, target } = m);
      const o = fuzzOne(g, RULES, text, target);
      res = { ok: true, ms: performance.now() - t0, findings: o.findings, fixes: o.fixes, violations: o.violations };
    } catch (e) {
      res = { ok: false, ms: performance.now() - t0, error: (e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e) };
    }
    process.send!(res);
  });
  process.send!({ ready: true });
}

// ——— the parent ———

class Runner {
  private proc: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  spawns = 0;
  private start() {
    this.spawns++;
    const p = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--import', 'tsx'] });
    this.proc = p;
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (m?.ready) {
          p.off('message', onMsg);
          resolve();
        }
      };
      p.on('message', onMsg);
      p.once('exit', () => reject(new Error('child exited before it was ready')));
    });
  }
  async run(req: Req, timeoutMs: number): Promise<Res | { ok: false; hang: true; ms: number } | { ok: false; died: string; ms: number }> {
    if (!this.proc) this.start();
    await this.ready;
    const p = this.proc!;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const done = (r: Res | { ok: false; hang: true; ms: number } | { ok: false; died: string; ms: number }) => {
        clearTimeout(timer);
        p.off('message', onMsg);
        p.off('exit', onExit);
        resolve(r);
      };
      const onMsg = (m: Res) => done(m);
      const onExit = (code: number | null, sig: string | null) => {
        this.proc = undefined;
        done({ ok: false, died: `child exited (code ${code}, signal ${sig})`, ms: performance.now() - t0 });
      };
      const timer = setTimeout(() => {
        p.off('exit', onExit);
        p.kill('SIGKILL');
        this.proc = undefined;
        done({ ok: false, hang: true, ms: performance.now() - t0 });
      }, timeoutMs);
      p.on('message', onMsg);
      p.on('exit', onExit);
      p.send(req);
    });
  }
  stop() {
    this.proc?.kill();
    this.proc = undefined;
  }
}

export interface Failure {
  kind: 'crash' | 'hang' | 'violation' | 'died';
  seed: number;
  index: number;
  base: string;
  mutations: string[];
  target: string;
  detail: string;
}

function failureOf(r: Awaited<ReturnType<Runner['run']>>): { kind: Failure['kind']; detail: string } | undefined {
  if ('hang' in r) return { kind: 'hang', detail: `no answer within the time bound (${Math.round(r.ms)} ms)` };
  if ('died' in r) return { kind: 'died', detail: r.died };
  if (!r.ok) return { kind: 'crash', detail: r.error };
  if (r.violations.length) return { kind: 'violation', detail: r.violations.join('; ') };
  return undefined;
}

/** Line-based delta debugging, then character trimming: the smallest text that still fails the same way. */
async function minimize(runner: Runner, text: string, target: FuzzInput['target'], kind: Failure['kind'], timeoutMs: number, budget = 150): Promise<string> {
  let trials = 0;
  const fails = async (t: string) => {
    trials++;
    const f = failureOf(await runner.run({ kind: 'text', text: t, target }, timeoutMs));
    return f?.kind === kind;
  };
  let parts = text.split(/(?<=\n)/);
  let n = 2;
  while (parts.length >= 2 && trials < budget) {
    const size = Math.ceil(parts.length / n);
    let reduced = false;
    for (let i = 0; i < parts.length && trials < budget; i += size) {
      const cand = [...parts.slice(0, i), ...parts.slice(i + size)];
      if (cand.length && (await fails(cand.join('')))) {
        parts = cand;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= parts.length) break;
      n = Math.min(parts.length, n * 2);
    }
  }
  return parts.join('');
}

export interface FuzzSummary {
  seed: number;
  inputs: number;
  ms: number;
  maxMs: number;
  maxIndex: number;
  findings: number;
  fixes: number;
  failures: Failure[];
  byMutation: Record<string, number>;
}

export async function fuzzAnalyzer(a: Args, log: (s: string) => void = console.log): Promise<FuzzSummary> {
  const pool = poolFor(a.corpus);
  const started = Date.now();
  const sum: FuzzSummary = { seed: a.seed, inputs: 0, ms: 0, maxMs: 0, maxIndex: -1, findings: 0, fixes: 0, failures: [], byMutation: {} };
  const indices = a.only !== undefined ? [a.only] : Array.from({ length: a.count }, (_, i) => i);
  const runners = Array.from({ length: Math.max(1, a.workers) }, () => new Runner());
  let next = 0;
  const work = async (runner: Runner) => {
    while (next < indices.length) {
      const index = indices[next++];
      const input = makeInput(a.seed, index, pool);
      const big = input.text.length > 500_000 || input.mutations.some((m) => m.startsWith("deep"));
      const r = await runner.run({ kind: 'index', seed: a.seed, index, corpus: a.corpus }, big ? a.timeout * 2 : a.timeout);
      sum.inputs++;
      for (const m of input.mutations) sum.byMutation[m] = (sum.byMutation[m] ?? 0) + 1;
      if (r.ms > sum.maxMs) {
        sum.maxMs = r.ms;
        sum.maxIndex = index;
      }
      if ('findings' in r) {
        sum.findings += r.findings;
        sum.fixes += r.fixes;
      }
      const f = failureOf(r);
      if (!f) continue;
      const failure: Failure = { kind: f.kind, seed: a.seed, index, base: input.base, mutations: input.mutations, target: input.target, detail: f.detail };
      sum.failures.push(failure);
      log(`FAIL ${f.kind} seed=${a.seed} index=${index} base=${input.base} mutations=${input.mutations.join(',')} target=${input.target}: ${f.detail.slice(0, 400)}`);
      log(`  reproduce: node --import tsx test/reliability/fuzz.ts --seed ${a.seed} --only ${index}${a.corpus ? '' : ' --no-corpus'}`);
      if (a.minimize && sum.failures.length <= 20) {
        const small = f.kind === 'hang' ? input.text : await minimize(runner, input.text, input.target, f.kind, a.timeout);
        fs.mkdirSync(CRASH_DIR, { recursive: true });
        const name = `${f.kind}-seed${a.seed}-${index}`;
        fs.writeFileSync(path.join(CRASH_DIR, `${name}.py.txt`), small);
        fs.writeFileSync(path.join(CRASH_DIR, `${name}.json`), JSON.stringify({ ...failure, bytes: small.length, original: input.text.length }, null, 2) + '\n');
        log(`  saved test/reliability/crashes/${name}.py.txt (${small.length} of ${input.text.length} chars)`);
      }
      if (!a.quiet && sum.inputs % 5000 === 0) log(`… ${sum.inputs} inputs, ${sum.failures.length} failure(s), ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  const progress = a.quiet ? undefined : setInterval(() => log(`… ${sum.inputs}/${indices.length} inputs, ${sum.failures.length} failure(s), ${((Date.now() - started) / 1000).toFixed(0)} s`), 30_000);
  try {
    await Promise.all(runners.map(work));
  } finally {
    if (progress) clearInterval(progress);
    for (const r of runners) r.stop();
  }
  sum.ms = Date.now() - started;
  return sum;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const lines: string[] = [];
  const log = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  let failed = 0;
  if (a.count > 0 || a.only !== undefined) {
    const s = await fuzzAnalyzer(a, log);
    failed += s.failures.length;
    log(
      `analyzer: seed ${s.seed}, ${s.inputs} inputs in ${(s.ms / 1000).toFixed(1)} s; ${s.findings} findings, ${s.fixes} single fixes applied; slowest input ${Math.round(s.maxMs)} ms (index ${s.maxIndex}); ${s.failures.length} failure(s)`,
    );
    log(`  mutations: ${Object.entries(s.byMutation).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  if (a.server > 0) {
    const s = await fuzzServer({ seed: a.seed, count: a.server, corpus: a.corpus }, log);
    failed += s.failures.length;
    log(
      `server: seed ${s.seed}, ${s.inputs} inputs (${s.requests} requests answered) in ${(s.ms / 1000).toFixed(1)} s; slowest answer ${Math.round(s.maxMs)} ms; ${s.failures.length} failure(s)`,
    );
  }
  if (a.out) fs.writeFileSync(a.out, lines.join('\n') + '\n');
  process.exit(failed ? 1 : 0);
}

if (process.argv.includes('--child')) void child();
else if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(2);
});
