// Bundles the client, the server and the CLI to CommonJS and puts the two wasm files beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { asciiBundle } from './scripts/asciiBundle.mjs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const out = 'dist';
mkdirSync(out, { recursive: true });

const importMetaShim = "const __importMetaUrl = require('url').pathToFileURL(__filename).href;";
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // parsing/python.ts only resolves the wasm files through node_modules when run from source
  logOverride: { 'require-resolve-not-external': 'silent' },
  loader: { '.scm': 'text' },
  // web-tree-sitter's ESM build reads import.meta.url, which is empty in a CJS bundle (Parser.init would crash)
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: importMetaShim },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: out, external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: { server: 'server/src/server.ts' }, outdir: out }),
  esbuild.build({ ...common, entryPoints: { scanWorker: 'server/src/workspace/scanWorker.ts' }, outdir: out }),
  esbuild.build({ ...common, entryPoints: { cli: 'server/src/cli/main.ts' }, outdir: out, banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } }),
]);
// (a one-byte source string for V8: scripts/asciiBundle.mjs)
for (const f of ['client.js', 'server.js', 'scanWorker.js', 'cli.js']) asciiBundle(path.join(out, f));
chmodSync(path.join(out, 'cli.js'), 0o755);

copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(out, 'web-tree-sitter.wasm'));
copyFileSync(path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm'), path.join(out, 'tree-sitter-python.wasm'));
