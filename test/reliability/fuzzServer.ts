// Fuzz inputs through the bundled language server (dist/server.js) over stdio: each input is opened, or sent as a
// full or incremental change, then code actions (quick fixes + source.fixAll), a hover and a resolve are asked for.
// Every request must be answered within the bound; the server must log no failed handler; it must still answer at
// the end and shut down cleanly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { ROOT } from './lib';
import { makeInput, rng, inputSeed } from './mutate';
import { poolFor, type Failure } from './fuzz';

export interface ServerFuzzSummary {
  seed: number;
  inputs: number;
  requests: number;
  ms: number;
  maxMs: number;
  failures: Failure[];
}

const FIX_ALL_KIND = 'source.fixAll.frameworkPorter';

export async function fuzzServer(o: { seed: number; count: number; corpus: boolean; timeoutMs?: number }, log: (s: string) => void = console.log): Promise<ServerFuzzSummary> {
  const server = path.join(ROOT, 'dist', 'server.js');
  if (!fs.existsSync(server)) throw new Error('dist/server.js is missing: run `npm run build` first');
  const pool = poolFor(o.corpus);
  const timeoutMs = o.timeoutMs ?? 20000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-fuzz-'));
  fs.writeFileSync(path.join(dir, 'models.py'), 'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.symlinkSync('..', path.join(dir, 'pkg', 'loop')); // a symlink loop under the folder
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  const diags = new Map<string, PublishDiagnosticsParams>();
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({ target: 'django' })));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/applyEdit', () => ({ applied: true }));
  conn.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
  });
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diags.set(p.uri, p);
  });
  conn.onRequest('window/showMessageRequest', () => null);
  conn.listen();
  const sum: ServerFuzzSummary = { seed: o.seed, inputs: 0, requests: 0, ms: 0, maxMs: 0, failures: [] };
  const started = Date.now();
  let current: { index: number; base: string; mutations: string[]; target: string } = { index: -1, base: '', mutations: [], target: '' };
  const ask = async <T>(method: string, params: unknown): Promise<T> => {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        conn.sendRequest(method, params) as Promise<T>,
        new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${method} not answered within ${timeoutMs} ms`)), timeoutMs))),
      ]);
      sum.requests++;
      sum.maxMs = Math.max(sum.maxMs, performance.now() - t0);
      return r;
    } finally {
      clearTimeout(timer);
    }
  };
  const fail = (kind: Failure['kind'], detail: string) => {
    sum.failures.push({ kind, seed: o.seed, index: current.index, base: current.base, mutations: current.mutations, target: current.target, detail });
    log(`SERVER FAIL ${kind} seed=${o.seed} index=${current.index} base=${current.base} mutations=${current.mutations.join(',')}: ${detail.slice(0, 300)}`);
  };
  try {
    const folderUri = pathToFileURL(dir).href;
    await ask('initialize', { processId: process.pid, rootUri: folderUri, workspaceFolders: [{ uri: folderUri, name: 'fuzz' }], capabilities: { workspace: { configuration: true } } });
    await conn.sendNotification('initialized', {});
    const docs: { uri: string; text: string; version: number }[] = [];
    for (let i = 0; i < 4; i++) docs.push({ uri: pathToFileURL(path.join(dir, `m${i}.py`)).href, text: '', version: 0 });
    for (let n = 0; n < o.count; n++) {
      // server inputs use indices after the analyzer's, so both runs see different inputs for one seed
      const index = 10_000_000 + n;
      const input = makeInput(o.seed, index, pool);
      current = { index, base: input.base, mutations: input.mutations, target: input.target };
      const r = rng(inputSeed(o.seed ^ 0x5eed, index));
      const d = docs[n % docs.length];
      const text = input.text.length > 3_000_000 ? input.text.slice(0, 3_000_000) : input.text;
      try {
        const mode = d.version === 0 ? 'open' : r() < 0.5 ? 'full' : 'incremental';
        if (mode === 'open') {
          d.version = 1;
          await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: 'python', version: 1, text } });
        } else if (mode === 'full') {
          d.version++;
          await conn.sendNotification('textDocument/didChange', { textDocument: { uri: d.uri, version: d.version }, contentChanges: [{ text }] });
        } else {
          // replace a random line range of the old text by a slice of the new one (positions may be out of range)
          const lines = d.text.split('\n').length;
          const a = Math.floor(r() * (lines + 2));
          const b = a + Math.floor(r() * 5);
          d.version++;
          const piece = text.slice(Math.floor(r() * text.length), Math.floor(r() * text.length) + 400);
          await conn.sendNotification('textDocument/didChange', {
            textDocument: { uri: d.uri, version: d.version },
            contentChanges: [{ range: { start: { line: a, character: Math.floor(r() * 10) }, end: { line: b, character: Math.floor(r() * 200) } }, text: piece }],
          });
        }
        d.text = text;
        const range = { start: { line: Math.floor(r() * 50), character: 0 }, end: { line: Math.floor(r() * 50) + 1, character: 0 } };
        const published = diags.get(d.uri)?.diagnostics ?? [];
        const diagnostics: Diagnostic[] = published.slice(0, 5).map((x) => ({ ...x, data: { ...(x.data as object), version: d.version } }));
        await ask('textDocument/codeAction', { textDocument: { uri: d.uri }, range, context: { diagnostics, only: r() < 0.3 ? [FIX_ALL_KIND] : undefined } });
        await ask('textDocument/hover', { textDocument: { uri: d.uri }, position: { line: Math.floor(r() * 100), character: Math.floor(r() * 80) } });
        if (r() < 0.1) await ask('codeAction/resolve', { title: 'x', kind: 'quickfix', data: { uri: d.uri, version: d.version, kind: 'fixAllRule', rule: 'flask-jsonify' } });
        if (r() < 0.02) {
          await conn.sendNotification('textDocument/didClose', { textDocument: { uri: d.uri } });
          d.version = 0;
        }
      } catch (e) {
        fail('hang', (e as Error).message);
        break;
      }
      sum.inputs++;
      const bad = logs.filter((l) => / failed: |unexpected error|Tree check failed/.test(l));
      if (bad.length) {
        fail('crash', bad.join(' || '));
        logs.length = 0;
      }
      if (child.exitCode !== null) {
        fail('died', `server exited with ${child.exitCode}: ${stderr.slice(-500)}`);
        break;
      }
      if (sum.inputs % 1000 === 0) log(`… server: ${sum.inputs} inputs, ${sum.failures.length} failure(s), ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    // still answering, and a clean shutdown
    try {
      await ask('textDocument/hover', { textDocument: { uri: docs[0].uri }, position: { line: 0, character: 0 } });
      await ask('shutdown', null);
      await conn.sendNotification('exit');
    } catch (e) {
      fail('hang', `after the run: ${(e as Error).message}`);
    }
  } finally {
    conn.dispose();
    setTimeout(() => child.kill(), 2000).unref();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  sum.ms = Date.now() - started;
  return sum;
}
