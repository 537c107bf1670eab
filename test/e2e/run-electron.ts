// Runner 1 (npm run test:e2e:electron): the same suites in desktop VS Code through @vscode/test-electron, for
// machines where VS Code can be had: downloaded (E2E_VSCODE_VERSION, default 1.100.3) or VSCODE_EXECUTABLE
// pointing at an installed VS Code. The extension runs from the repo (dist/, built first) in extensionMode Test.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main() {
  const repo = path.resolve(__dirname, '..', '..');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-e2e-electron-'));
  const workspace = path.join(tmp, 'fixture-workspace');
  cpSync(path.join(__dirname, 'fixture-workspace'), workspace, { recursive: true });
  try {
    const code = await runTests({
      version: process.env.E2E_VSCODE_VERSION ?? '1.100.3',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(__dirname, 'out', 'index.js'),
      extensionTestsEnv: { FRAMEWORK_PORTER_TEST: '1', E2E_RESULTS: process.env.E2E_RESULTS ?? '' },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'user-data')],
    });
    process.exitCode = code;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`The e2e suites did not pass in VS Code: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
});
