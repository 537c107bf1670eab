// `npm test`'s view of the end-to-end run: runs runner 2 (npm run test:e2e: code-server + Chromium, installed when
// missing) and reports each of its tests — the API suites and the UI checks — as a node:test test of its own, so
// the test runner's closing summary counts them. The run's output is in test-results/e2e/run.log.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const repo = path.resolve(__dirname, '..', '..');
const outDir = path.join(repo, 'test-results', 'e2e');

interface Results {
  passed: number;
  failed: number;
  tests: { name: string; ok: boolean; error?: string }[];
}

function runE2E(): Promise<number | null> {
  mkdirSync(outDir, { recursive: true });
  rmSync(path.join(outDir, 'results.json'), { force: true });
  const logFile = createWriteStream(path.join(outDir, 'run.log'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'run-code-server.ts')], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(logFile);
    child.stderr.pipe(logFile);
    child.on('error', reject);
    child.on('close', (code) => logFile.end(() => resolve(code)));
  });
}

test('end-to-end in code-server (VS Code 1.100.3) + Chromium', { timeout: 15 * 60_000 }, async (t) => {
  const code = await runE2E();
  const file = path.join(outDir, 'results.json');
  if (!existsSync(file)) throw new Error(`npm run test:e2e wrote no results.json (exit ${code}); see test-results/e2e/run.log:\n${readFileSync(path.join(outDir, 'run.log'), 'utf8').slice(-3000)}`);
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  if (!results.tests.length) throw new Error('the end-to-end run reported no test');
  for (const r of results.tests) {
    await t.test(r.name, () => {
      if (!r.ok) throw new Error(r.error ?? 'failed');
    });
  }
});
