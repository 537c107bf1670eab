// Activation, diagnostics, hover and retargeting in a real VS Code, on the fixture workspace (target pinned to
// django in its .vscode/settings.json).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, closeAll, codeActions, codeOf, diagnosticOf, fileUri, openWithDiagnostics, poll, portingDiagnostics, revert, EXTENSION_ID } from './util';

const APP_RULES = ['flask-app', 'flask-route', 'flask-request-args', 'flask-jsonify', 'flask-route', 'flask-request-method', 'flask-redirect', 'flask-render-template'];

describe('editor', function () {
  this.timeout(60000);
  after(closeAll);

  it('activation: the extension activates in a Python workspace and registers its commands', async () => {
    const api = await activate();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['frameworkPorter.showOutput', 'frameworkPorter.restartServer', 'frameworkPorter.checklist.startPorting', 'frameworkPorter.checklist.exportReport']) {
      assert.ok(commands.includes(c), `command ${c} is registered`);
    }
    // the server registers its own command once it runs
    await poll('frameworkPorter.fixAllInFile from the language server', async () => (await vscode.commands.getCommands(true)).includes('frameworkPorter.fixAllInFile'));
    assert.ok(api && typeof api.getChecklistTree === 'function' && typeof api.getStatusText === 'function', 'activate() returns the test API when run for tests');
  });

  it('diagnostic: a Flask file gets one warning per Flask idiom, with the rule id as code and the exact range', async () => {
    const { doc } = await openWithDiagnostics('app.py', (ds) => ds.length >= APP_RULES.length);
    const ds = portingDiagnostics(doc.uri).sort((a, b) => a.range.start.compareTo(b.range.start));
    assert.deepEqual(ds.map(codeOf), APP_RULES);
    for (const d of ds) assert.equal(d.severity, vscode.DiagnosticSeverity.Warning, `${codeOf(d)} is a warning (frameworkPorter.severity)`);
    const args = diagnosticOf(doc.uri, 'flask-request-args');
    assert.equal(doc.getText(args.range), 'request.args');
    assert.match(args.message, /request\.GET/);
    const jsonify = diagnosticOf(doc.uri, 'flask-jsonify');
    assert.equal(jsonify.range.start.line, 8);
    assert.ok(doc.getText(jsonify.range).startsWith('jsonify'));
  });

  it('diagnostic: editing the file updates diagnostics as you type (a new request.args is flagged, removing it clears it)', async () => {
    const { doc, editor } = await openWithDiagnostics('app.py');
    try {
      const before = portingDiagnostics(doc.uri).filter((d) => codeOf(d) === 'flask-request-args').length;
      await editor.edit((e) => e.insert(new vscode.Position(9, 0), '    size = request.args.get("size", 10)\n'));
      await poll('a second flask-request-args diagnostic', () => portingDiagnostics(doc.uri).filter((d) => codeOf(d) === 'flask-request-args').length === before + 1);
      const added = diagnosticOf(doc.uri, 'flask-request-args', 9);
      assert.equal(doc.getText(added.range), 'request.args');
    } finally {
      await revert(doc);
    }
    await poll('diagnostics back to the saved text', () => portingDiagnostics(doc.uri).filter((d) => codeOf(d) === 'flask-request-args').length === 1);
  });

  it('hover: over a flagged idiom shows the message and a before → after example for Django', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    const d = diagnosticOf(doc.uri, 'flask-request-args');
    const hovers = await poll('a hover on request.args', async () => {
      const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, d.range.start.translate(0, 2));
      return hs?.length ? hs : undefined;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Before → after \(django\)/);
    assert.match(text, /request\.args/);
    assert.match(text, /request\.GET/);
    assert.match(text, /Effort: about \d+ min/);
    const none = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, 0));
    assert.ok(!none.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('Before → after'))), 'no porting hover on a blank line');
  });

  it('diagnostic: changing frameworkPorter.target retargets diagnostics and fixes (django → fastapi → flask)', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    const config = () => vscode.workspace.getConfiguration('frameworkPorter', doc.uri);
    const titleOfJsonifyFix = async () => {
      const d = diagnosticOf(doc.uri, 'flask-jsonify');
      const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      return actions.find((a) => a.isPreferred)?.title ?? actions[0]?.title;
    };
    assert.match((await titleOfJsonifyFix()) ?? '', /JsonResponse/);
    try {
      await config().update('target', 'fastapi', vscode.ConfigurationTarget.WorkspaceFolder);
      await poll('jsonify fix for FastAPI', async () => {
        const t = await titleOfJsonifyFix();
        return !!t && !/JsonResponse\(\)/.test(t) && t;
      });
      const args = diagnosticOf(doc.uri, 'flask-request-args');
      const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, args.range.start.translate(0, 2));
      assert.match(hover.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /Before → after \(fastapi\)/);
      await config().update('target', 'flask', vscode.ConfigurationTarget.WorkspaceFolder);
      await poll('no Flask diagnostics when porting to Flask', () => portingDiagnostics(doc.uri).length === 0);
    } finally {
      await config().update('target', 'django', vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await poll('Django diagnostics again', () => portingDiagnostics(doc.uri).length === APP_RULES.length);
    assert.match((await titleOfJsonifyFix()) ?? '', /JsonResponse/);
  });

  it('diagnostic: a file the workspace excludes (frameworkPorter.exclude) gets none', async () => {
    const uri = fileUri('migrations/0001_initial.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // app.py in the same session is analyzed, so the server is up: give it the time it needs for app.py
    await openWithDiagnostics('app.py');
    await vscode.window.showTextDocument(doc);
    const end = Date.now() + 1500;
    await poll('the excluded file to stay clean', () => (portingDiagnostics(uri).length ? Promise.reject(new Error('it got diagnostics')) : Date.now() > end), 5000);
  });
});
