// Crash recovery: when the language server dies, the client starts a new one, diagnostics come back, and the
// checklist with its shared state file survives. Runs last: it kills the server the other suites used.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, fileExists, fileUri, openWithDiagnostics, poll, portingDiagnostics, readText, walk, type TestApi } from './util';

let api: TestApi;

describe('crash recovery', function () {
  this.timeout(120000);
  before(async () => {
    api = await activate();
  });

  it('server crash: the client restarts the killed language server; diagnostics, the checklist and state.json survive', async () => {
    assert.ok(api.serverPid, 'the test API exposes serverPid()');
    const uri = fileUri('app.py');
    await openWithDiagnostics('app.py');
    const before = portingDiagnostics(uri).length;
    assert.ok(before > 0);
    const stateUri = fileUri('.framework-porter/state.json');
    const state = (await fileExists(stateUri)) ? await readText(stateUri) : undefined;
    const count = async () => [...walk(api.refreshChecklist ? await api.refreshChecklist() : api.getChecklistTree())].filter((n) => n.kind === 'occurrence').length;
    const occurrences = await poll('the checklist before the crash', async () => (await count()) || undefined);

    const pid = await poll('the server pid', () => api.serverPid!());
    process.kill(pid, 'SIGKILL');

    const next = await poll('a new server process', async () => {
      const p = await api.serverPid!();
      return p && p !== pid ? p : undefined;
    }, 60000, 500);
    assert.notEqual(next, pid);
    // an edit after the restart is analyzed by the new server
    const doc = await vscode.workspace.openTextDocument(uri);
    await poll('diagnostics from the new server', () => portingDiagnostics(uri).length === before || undefined, 60000, 250);
    assert.equal(doc.isDirty, false);
    await poll('the checklist after the restart', async () => ((await count()) === occurrences ? true : undefined), 60000, 500);
    if (state !== undefined) assert.equal(await readText(stateUri), state, 'the state file is untouched by the crash');
  });
});
