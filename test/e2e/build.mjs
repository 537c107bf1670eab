// Bundles the e2e suites and their mocha index for the extension host: test/e2e/out/{index.js,suites/*.test.js}.
// `vscode` stays external (the extension host provides it), mocha is required from the repo's node_modules.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
rmSync(out, { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning', external: ['vscode', 'mocha'] };
const suites = readdirSync(path.join(here, 'suites')).filter((f) => f.endsWith('.test.ts'));
await Promise.all([
  esbuild.build({ ...common, entryPoints: { index: path.join(here, 'suite-index.ts') }, outdir: out }),
  ...suites.map((f) => esbuild.build({ ...common, entryPoints: [path.join(here, 'suites', f)], outfile: path.join(out, 'suites', f.replace(/\.ts$/, '.js')) })),
]);
