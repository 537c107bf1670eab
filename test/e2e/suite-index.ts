// Runs the mocha suites (test/e2e/out/suites/*.test.js) inside the extension host and collects per-test results.
// Runner 1 (@vscode/test-electron) calls run() as its extensionTestsPath; runner 2's driver extension calls
// runSuites() and writes the results where the harness reads them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  name: string;
  ok: boolean;
  error?: string;
  durationMs?: number;
}
export interface Results {
  passed: number;
  failed: number;
  tests: TestResult[];
}

export async function runSuites(opts: { grep?: string } = {}): Promise<Results> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec', grep: opts.grep ?? process.env.E2E_GREP });
  const dir = path.join(__dirname, 'suites');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  const tests: TestResult[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => tests.push({ name: t.title, ok: true, durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => {
      // a failing hook fails the tests under it: name them
      const name = (t as { type?: string }).type === 'hook' ? `${t.parent?.fullTitle() ?? ''}: ${t.title}` : t.title;
      tests.push({ name, ok: false, error: String(err?.stack ?? err).split('\n').slice(0, 6).join('\n'), durationMs: t.duration });
    });
  });
  const failed = tests.filter((t) => !t.ok).length;
  return { passed: tests.length - failed, failed, tests };
}

/** @vscode/test-electron's entry: resolves when every test passed, rejects otherwise. */
export async function run(): Promise<void> {
  const results = await runSuites();
  const out = process.env.E2E_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
  for (const t of results.tests) console.log(`${t.ok ? 'ok' : 'not ok'} - ${t.name}${t.ok ? '' : `\n  ${t.error?.replace(/\n/g, '\n  ')}`}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  if (results.failed || !results.tests.length) throw new Error(`${results.failed} of ${results.tests.length} end-to-end tests failed`);
}
