// Bundles the client, the server and the CLI to CommonJS and puts the two wasm files beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
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
// esbuild escapes non-ASCII characters in strings but prints kept comments as written: one `—` in a comment makes
// V8 hold the whole bundle's source as a two-byte string (the server's: 3.6 MB instead of 1.8, for the life of the
// process). In comment lines only, each such character becomes `?` (one per UTF-16 unit: the source maps' columns
// hold). A bundle with one elsewhere (a regular expression literal: esbuild leaves those too) is left as it is.
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/;
for (const f of ['client.js', 'server.js', 'scanWorker.js', 'cli.js']) {
  const file = path.join(out, f);
  const text = readFileSync(file, 'utf8');
  if (!/[^\x00-\x7f]/.test(text)) continue;
  const ascii = text
    .split('\n')
    .map((l) => (COMMENT_LINE.test(l) ? l.replace(/[^\x00-\x7f]/g, '?') : l))
    .join('\n');
  if (/[^\x00-\x7f]/.test(ascii)) console.warn(`${f}: non-ASCII characters outside comments; its source stays two-byte`);
  else writeFileSync(file, ascii);
}
chmodSync(path.join(out, 'cli.js'), 0o755);

copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(out, 'web-tree-sitter.wasm'));
copyFileSync(path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm'), path.join(out, 'tree-sitter-python.wasm'));
