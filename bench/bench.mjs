// `npm run bench [-- --smoke]`: fetches the corpus (Debian bookworm packages, outside the repo), bundles the
// benchmark with the scanner's worker like the extension's dist/ (so workers start as they do in production),
// and runs it. Not a test: it prints a table and one JSON line.
import * as esbuild from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { asciiBundle } from '../scripts/asciiBundle.mjs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cache = process.env.FP_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'framework-porter');
const corpus = path.join(cache, 'bench-corpus');
const PACKAGES = ['python3-keystone', 'python3-django-horizon', 'python3-django-hyperkitty'];

function ensureCorpus() {
  const root = path.join(corpus, 'root');
  if (existsSync(path.join(root, 'usr/lib/python3/dist-packages/keystone'))) return;
  const debs = path.join(corpus, 'debs');
  mkdirSync(debs, { recursive: true });
  const dl = () => spawnSync('apt-get', ['download', ...PACKAGES], { cwd: debs, stdio: 'inherit' }).status === 0;
  if (!dl()) {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    if (!dl()) throw new Error('apt-get download failed');
  }
  for (const f of readdirSync(debs).filter((x) => x.endsWith('.deb'))) execFileSync('dpkg', ['-x', path.join(debs, f), root]);
}

// V8 flags to run the whole benchmark under (FP_BENCH_NODE_FLAGS="--optimize-for-size"): to weigh GC settings for
// the language server; the RSS child inherits them
const SERVER_NODE_FLAGS = (process.env.FP_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

ensureCorpus();
const out = path.join(cache, 'bench-build');
mkdirSync(out, { recursive: true });
const importMetaShim = "const __importMetaUrl = require('url').pathToFileURL(__filename).href;";
await esbuild.build({
  absWorkingDir: repo,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  // (as esbuild.mjs: parsing/python.ts resolves the wasm files through node_modules only when run from source)
  logOverride: { 'require-resolve-not-external': 'silent' },
  loader: { '.scm': 'text' },
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: importMetaShim },
  entryPoints: { run: 'bench/run.ts', scanWorker: 'server/src/workspace/scanWorker.ts', rssChild: 'bench/rssChild.ts', server: 'server/src/server.ts' },
  outdir: out,
  external: ['@astral-sh/ruff-wasm-nodejs'],
});
// the bundles as the extension ships them (esbuild.mjs): one-byte source strings
for (const f of ['run.js', 'scanWorker.js', 'rssChild.js', 'server.js']) asciiBundle(path.join(out, f));
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(out, 'web-tree-sitter.wasm'));
copyFileSync(path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm'), path.join(out, 'tree-sitter-python.wasm'));
const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, path.join(out, 'run.js'), '--corpus', path.join(corpus, 'root/usr/lib/python3/dist-packages'), '--repo', repo, '--cache', cache, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules') },
});
process.exit(r.status ?? 1);
