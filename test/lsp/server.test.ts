// The bundled language server (dist/server.js, run `npm run build` first) spoken to over stdio, as an editor would:
// diagnostics, incremental changes, code actions, hover, settings, cross-file resolution, commands, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { RULES, grammar } from '../helpers';
import { analyze, fixAllText } from '../../server/src/analysis/engine';
import { LineMap } from '../../server/src/analysis/lineMap';
import { loadProject } from '../../server/src/workspace/project';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/analysis/types';
import type { ModuleIndex } from '../../server/src/analysis/moduleIndex';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
const FIX_ALL_KIND = 'source.fixAll.frameworkPorter';
const HAS = (id: string) => RULES.some((r) => r.id === id);

const APP = `from flask import Flask, jsonify
from .models import User

app = Flask(__name__)


@app.route("/users/<int:user_id>")
def show(user_id):
    user = User.query.get(user_id)
    return jsonify(user.name)


@app.get("/ping")
def ping():
    return jsonify(ok=True)
`;

const MODELS = `from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
`;

// ——— a tiny editor ———

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineMap(text);
  const offs = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText }));
  offs.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of offs) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The one TextDocumentEdit of a versioned WorkspaceEdit (asserting that shape). */
function docEdit(edit: WorkspaceEdit | undefined, uri: string, version: number): TextEdit[] {
  assert.ok(edit?.documentChanges, 'edits are versioned (documentChanges)');
  assert.equal(edit.documentChanges.length, 1);
  const dc = edit.documentChanges[0] as TextDocumentEdit;
  assert.equal(dc.textDocument.uri, uri);
  assert.equal(dc.textDocument.version, version, 'edit is for the current version');
  return dc.edits as TextEdit[];
}

/** Edits of one version as didChange content changes: bottom-up, so each range holds for the text before it. */
function asChanges(text: string, edits: readonly TextEdit[]): TextDocumentContentChangeEvent[] {
  const lines = new LineMap(text);
  return [...edits]
    .sort((a, b) => lines.offset(b.range.start) - lines.offset(a.range.start))
    .map((e) => ({ range: e.range, text: e.newText }));
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

interface Client {
  conn: MessageConnection;
  child: ChildProcess;
  settings: Record<string, unknown>;
  diags: Map<string, PublishDiagnosticsParams>;
  logs: string[];
  shown: { type: number; message: string }[];
  applied: WorkspaceEdit[];
  docs: Map<string, { text: string; version: number }>;
}

function start(settings: Record<string, unknown>): Client {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { env: { ...process.env, FRAMEWORK_PORTER_VERIFY_TREES: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => process.stderr.write(`[server stderr] ${d}`));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const c: Client = { conn, child, settings, diags: new Map(), logs: [], shown: [], applied: [], docs: new Map() };
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => c.settings));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/applyEdit', (p: { edit: WorkspaceEdit }) => {
    c.applied.push(p.edit);
    return { applied: true };
  });
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    c.diags.set(p.uri, p);
  });
  conn.onNotification('window/logMessage', (p: { message: string }) => {
    c.logs.push(p.message);
  });
  conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
    c.shown.push(p);
  });
  conn.onRequest('window/showMessageRequest', (p: { type: number; message: string }) => {
    c.shown.push(p);
    return null;
  });
  conn.listen();
  return c;
}

async function open(c: Client, uri: string, text: string) {
  c.docs.set(uri, { text, version: 1 });
  await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
}

async function change(c: Client, uri: string, changes: TextDocumentContentChangeEvent[]) {
  const d = c.docs.get(uri)!;
  for (const ch of changes) d.text = applyTextEdits(d.text, [{ range: (ch as { range: TextEdit['range'] }).range, newText: ch.text }]);
  d.version++;
  await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: d.version }, contentChanges: changes });
}

/** The diagnostics published for the document's current version once `ok` holds for them. */
function diagnosticsOf(c: Client, uri: string, what: string, ok: (d: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
  return waitFor(what, () => {
    const p = c.diags.get(uri);
    return p && p.version === c.docs.get(uri)!.version && ok(p.diagnostics) ? p.diagnostics : undefined;
  });
}

const ruleLines = (ds: Diagnostic[], rule?: string) =>
  ds
    .filter((d) => d.code !== 'port-todo' && (!rule || d.code === rule))
    .map((d) => `${d.code}@${d.range.start.line}`)
    .sort();

/** What the analyzer itself says for this text (with the project's index): the server must say the same. */
async function expected(text: string, settings: Settings, index: ModuleIndex): Promise<string[]> {
  const a = analyze(await grammar, text, { settings, path: 'app.py', index }, RULES);
  try {
    return a.findings.map((f) => `${f.rule}@${f.range.start.line}`).sort();
  } finally {
    a.dispose();
  }
}

async function codeActions(c: Client, uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return ((await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } })) ?? []) as CodeAction[];
}

test('language server over stdio', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-lsp-'));
  fs.writeFileSync(path.join(dir, 'app.py'), APP);
  fs.writeFileSync(path.join(dir, 'models.py'), MODELS);
  const folderUri = pathToFileURL(dir).href;
  const uri = pathToFileURL(path.join(dir, 'app.py')).href;
  const django: Settings = { ...DEFAULT_SETTINGS, target: 'django' };
  const fastapi: Settings = { ...DEFAULT_SETTINGS, target: 'fastapi' };
  const { index } = await loadProject(await grammar, dir);
  const c = start({ target: 'django' });
  const text = () => c.docs.get(uri)!.text;
  const version = () => c.docs.get(uri)!.version;

  try {
    await t.test('initialize announces incremental sync, code actions, hover and the fix-all command', async () => {
      const r = (await c.conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: folderUri,
        workspaceFolders: [{ uri: folderUri, name: 'app' }],
        capabilities: {
          workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
          textDocument: { codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } },
        },
      })) as { capabilities: Record<string, any> };
      assert.equal(r.capabilities.textDocumentSync.change, 2);
      assert.ok(r.capabilities.codeActionProvider.codeActionKinds.includes(FIX_ALL_KIND));
      assert.ok(r.capabilities.hoverProvider);
      assert.deepEqual(r.capabilities.executeCommandProvider.commands, ['frameworkPorter.fixAllInFile']);
      await c.conn.sendNotification('initialized', {});
    });

    await t.test('didOpen publishes the findings, cross-file ones included', async () => {
      await open(c, uri, APP);
      const want = await expected(APP, django, index);
      const ds = await diagnosticsOf(c, uri, 'the diagnostics of app.py', (d) => ruleLines(d).join() === want.join());
      assert.deepEqual(ruleLines(ds, 'flask-jsonify'), ['flask-jsonify@14', 'flask-jsonify@9']);
      assert.deepEqual(ruleLines(ds, 'flask-route'), ['flask-route@12', 'flask-route@6']);
      // `from .models import User` resolves through the workspace index: User.query is Flask-SQLAlchemy's
      if (HAS('fsa-query')) assert.deepEqual(ruleLines(ds, 'fsa-query'), ['fsa-query@8']);
      for (const d of ds.filter((x) => x.code !== 'port-todo')) {
        assert.equal(d.source, 'Framework Porter');
        assert.equal(d.severity, 2);
        assert.deepEqual(d.data, { rule: d.code, version: 1 });
        assert.match(d.codeDescription!.href, new RegExp(`^file://.*/docs/rules/${d.code}\\.md$`));
      }
    });

    await t.test('incremental changes move and update the diagnostics', async () => {
      // a line inserted above everything
      await change(c, uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import os\n' }]);
      let ds = await diagnosticsOf(c, uri, 'diagnostics after inserting a line');
      assert.deepEqual(ruleLines(ds, 'flask-jsonify'), ['flask-jsonify@10', 'flask-jsonify@15']);
      assert.deepEqual(ruleLines(ds), await expected(text(), django, index));

      // two changes in one didChange, the second against the text the first left: delete that line, then edit a route
      await change(c, uri, [
        { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' },
        { range: { start: { line: 14, character: 22 }, end: { line: 14, character: 26 } }, text: 'False' },
      ]);
      assert.ok(text().includes('jsonify(ok=False)'));
      ds = await diagnosticsOf(c, uri, 'diagnostics after deleting it');
      assert.deepEqual(ruleLines(ds, 'flask-jsonify'), ['flask-jsonify@14', 'flask-jsonify@9']);
      assert.deepEqual(ruleLines(ds), await expected(text(), django, index));
      assert.deepEqual(c.logs.filter((l) => l.includes('Tree check failed')), [], 'incremental trees equal fresh parses');
    });

    let atV3: Diagnostic[] = [];
    await t.test('quick fix: a versioned edit that gives the exact rewrite', async () => {
      atV3 = await diagnosticsOf(c, uri, 'current diagnostics');
      const ping = atV3.find((d) => d.code === 'flask-jsonify' && d.range.start.line === 14)!;
      const actions = await codeActions(c, uri, [ping]);
      const fix = actions.find((a) => a.title === 'Replace jsonify() with JsonResponse()');
      assert.ok(fix, `quick fix offered (got ${actions.map((a) => a.title).join(' | ')})`);
      assert.equal(fix.kind, 'quickfix');
      assert.equal(fix.isPreferred, true);
      const after = applyTextEdits(text(), docEdit(fix.edit, uri, version()));
      assert.equal(
        after,
        APP.replace('from .models import User\n', 'from .models import User\nfrom django.http import JsonResponse\n').replace('return jsonify(ok=True)', 'return JsonResponse({"ok": False})'),
      );
      assert.ok(actions.some((a) => a.title === 'Fix all flask-jsonify in this file'));
      assert.ok(actions.some((a) => a.title === 'Ignore flask-jsonify on this line'));
    });

    await t.test('unsafe fixes say so and are not preferred', async () => {
      const route = atV3.find((d) => d.code === 'flask-route')!;
      const fix = (await codeActions(c, uri, [route])).find((a) => a.kind === 'quickfix' && !a.title.startsWith('Fix all') && !a.title.startsWith('Ignore'));
      assert.ok(fix);
      assert.match(fix.title, /\(review the TODO\)$/);
      assert.equal(fix.isPreferred, false);
    });

    await t.test('"Fix all <rule> in this file" resolves to the rule\'s fix-all, minimal and versioned', async () => {
      const jsonify = atV3.filter((d) => d.code === 'flask-jsonify');
      const action = (await codeActions(c, uri, jsonify)).find((a) => a.title === 'Fix all flask-jsonify in this file')!;
      assert.equal(action.edit, undefined, 'computed on resolve');
      const resolved = (await c.conn.sendRequest('codeAction/resolve', action)) as CodeAction;
      const edits = docEdit(resolved.edit, uri, version());
      const after = applyTextEdits(text(), edits);
      const want = fixAllText(await grammar, text(), { settings: django, path: 'app.py', index }, RULES, (f) => f.rule === 'flask-jsonify').text;
      assert.equal(after, want);
      assert.ok(after.includes('return JsonResponse(user.name, safe=False)') && after.includes('return JsonResponse({"ok": False})'));
      assert.ok(!after.includes('jsonify'), 'the unused import went too');
      assert.ok(edits.length < text().split('\n').length, 'line-range edits, not a whole-file replacement');
      assert.ok(edits.every((e) => e.range.end.line - e.range.start.line <= 2));
    });

    await t.test('source.fixAll applies every fixable finding', async () => {
      for (const only of [[FIX_ALL_KIND], ['source.fixAll']]) {
        const actions = await codeActions(c, uri, [], only);
        assert.equal(actions.length, 1);
        assert.equal(actions[0].kind, FIX_ALL_KIND);
        const after = applyTextEdits(text(), docEdit(actions[0].edit, uri, version()));
        assert.equal(after, fixAllText(await grammar, text(), { settings: django, path: 'app.py', index }, RULES).text);
        assert.notEqual(after, text());
      }
      // quick-fix-only requests get no source action
      assert.ok((await codeActions(c, uri, atV3.slice(0, 1), ['quickfix'])).every((a) => a.kind === 'quickfix'));
    });

    await t.test('hover shows what this code becomes (before → after) and the docs link', async () => {
      const d = atV3.find((x) => x.code === 'flask-jsonify')!;
      const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: d.range.start.line, character: d.range.start.character + 2 } })) as {
        contents: { kind: string; value: string };
      };
      assert.equal(h.contents.kind, 'markdown');
      // the message itself is VS Code's diagnostic hover; ours shows what this very code becomes
      assert.ok(h.contents.value.includes('# before (this code)'), h.contents.value);
      assert.ok(h.contents.value.includes('**Before → after (django)**'));
      assert.ok(h.contents.value.includes('JsonResponse'));
      assert.ok(h.contents.value.includes('docs/rules/flask-jsonify.md'));
      assert.equal(await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } }), null);
    });

    await t.test('"Ignore <rule> on this line" silences the finding', async () => {
      const d = atV3.find((x) => x.code === 'flask-jsonify' && x.range.start.line === 9)!;
      const ignore = (await codeActions(c, uri, [d])).find((a) => a.title === 'Ignore flask-jsonify on this line')!;
      const edits = docEdit(ignore.edit, uri, version());
      assert.equal(applyTextEdits(text(), edits).split('\n')[9], '    return jsonify(user.name)  # port: ignore[flask-jsonify]');
      await change(c, uri, asChanges(text(), edits));
      const ds = await diagnosticsOf(c, uri, 'diagnostics after the ignore comment');
      assert.deepEqual(ruleLines(ds, 'flask-jsonify'), ['flask-jsonify@14']);
      assert.deepEqual(ruleLines(ds), await expected(text(), django, index));
    });

    await t.test('ignoring a finding whose line ends inside a multi-line string puts the comment above the statement', async () => {
      const end = text().split('\n').length - 1;
      await change(c, uri, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: '\n\ndef doc():\n    return jsonify("""one\ntwo""")\n' }]);
      const ds = await diagnosticsOf(c, uri, 'a finding in the new function', (x) => x.some((d) => d.code === 'flask-jsonify' && d.range.start.line === end + 3));
      const d = ds.find((x) => x.code === 'flask-jsonify' && x.range.start.line === end + 3)!;
      const ignore = (await codeActions(c, uri, [d])).find((a) => a.title === 'Ignore flask-jsonify on this line')!;
      const edits = docEdit(ignore.edit, uri, version());
      assert.deepEqual(applyTextEdits(text(), edits).split('\n').slice(end + 3, end + 5), ['    # port: ignore[flask-jsonify]', '    return jsonify("""one']);
      await change(c, uri, asChanges(text(), edits));
      const after = await diagnosticsOf(c, uri, 'diagnostics after the standalone ignore');
      assert.deepEqual(ruleLines(after, 'flask-jsonify'), ['flask-jsonify@14']);
    });

    await t.test('code actions for a version that is no longer current are not returned', async () => {
      assert.notEqual(version(), 3);
      const stale = atV3.find((d) => d.code === 'flask-jsonify' && d.range.start.line === 14)!;
      assert.deepEqual(await codeActions(c, uri, [stale]), []);
      // nor resolved
      const resolved = (await c.conn.sendRequest('codeAction/resolve', {
        title: 'Fix all flask-jsonify in this file',
        kind: 'quickfix',
        data: { uri, version: 3, kind: 'fixAllRule', rule: 'flask-jsonify' },
      })) as CodeAction;
      assert.equal(resolved.edit, undefined);
    });

    await t.test('an edit inside a route updates its findings', async () => {
      // `return jsonify(ok=False)` → `return dict(ok=False)`
      const line = text().split('\n')[14];
      const col = line.indexOf('jsonify');
      await change(c, uri, [{ range: { start: { line: 14, character: col }, end: { line: 14, character: col + 'jsonify'.length } }, text: 'dict' }]);
      const ds = await diagnosticsOf(c, uri, 'diagnostics after the edit');
      assert.deepEqual(ruleLines(ds, 'flask-jsonify'), []);
      assert.deepEqual(ruleLines(ds), await expected(text(), django, index));
      assert.deepEqual(c.logs.filter((l) => l.includes('Tree check failed')), []);
      // and back
      await change(c, uri, [{ range: { start: { line: 14, character: col }, end: { line: 14, character: col + 'dict'.length } }, text: 'jsonify' }]);
      await diagnosticsOf(c, uri, 'the finding back', (x) => ruleLines(x, 'flask-jsonify').join() === 'flask-jsonify@14');
    });

    await t.test('cross-file: a change to models.py on disk re-resolves app.py', async () => {
      if (!HAS('fsa-query')) {
        assert.ok(!RULES.some((r) => r.id === 'fsa-query'), 'no fsa-query rule yet: nothing to resolve');
        return;
      }
      const models = pathToFileURL(path.join(dir, 'models.py')).href;
      fs.writeFileSync(path.join(dir, 'models.py'), MODELS.replace('class User(db.Model)', 'class User:'));
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: models, type: 2 }] });
      await waitFor('fsa-query to go', () => c.diags.get(uri)?.diagnostics.every((d) => d.code !== 'fsa-query'));
      fs.writeFileSync(path.join(dir, 'models.py'), MODELS);
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: models, type: 2 }] });
      await waitFor('fsa-query to come back', () => c.diags.get(uri)?.diagnostics.some((d) => d.code === 'fsa-query'));
    });

    await t.test('a settings change (django → fastapi) re-publishes with other messages and fixes', async () => {
      const before = c.diags.get(uri)!;
      c.settings = { target: 'fastapi' };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frameworkPorter: c.settings } });
      const want = await expected(text(), fastapi, index);
      const ds = await waitFor('fastapi diagnostics', () => {
        const p = c.diags.get(uri);
        return p && p !== before && ruleLines(p.diagnostics).join() === want.join() ? p.diagnostics : undefined;
      });
      // `@app.get("/ping")` is already FastAPI's shape
      assert.deepEqual(ruleLines(ds, 'flask-route'), ['flask-route@6']);
      const d = ds.find((x) => x.code === 'flask-jsonify' && x.range.start.line === 14)!;
      const fix = (await codeActions(c, uri, [d])).find((a) => a.title.startsWith('Port jsonify() to FastAPI'));
      assert.ok(fix);
      const after = applyTextEdits(text(), docEdit(fix.edit, uri, version()));
      assert.equal(after.split('\n')[14], '    return {"ok": False}');
    });

    await t.test('a bad setting gives one clear warning and falls back to the defaults', async () => {
      const before = c.diags.get(uri)!;
      c.settings = { target: 'rails', severity: 'error' };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frameworkPorter: c.settings } });
      const want = await expected(text(), { ...django, severity: 'error' }, index);
      const ds = await waitFor('diagnostics with the default target', () => {
        const p = c.diags.get(uri);
        return p && p !== before && ruleLines(p.diagnostics).join() === want.join() ? p.diagnostics : undefined;
      });
      assert.ok(ds.filter((d) => d.code !== 'port-todo').every((d) => d.severity === 1));
      const warnings = c.shown.filter((m) => m.message.includes('frameworkPorter.target'));
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].type, 2);
      assert.match(warnings[0].message, /"rails"/);
      c.settings = { target: 'django' };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frameworkPorter: c.settings } });
    });

    await t.test('frameworkPorter.fixAllInFile asks the editor to apply the fix-all edit', async () => {
      await waitFor('django settings again', () => c.diags.get(uri)?.diagnostics.every((d) => d.severity !== 1));
      const want = fixAllText(await grammar, text(), { settings: django, path: 'app.py', index }, RULES).text;
      await c.conn.sendRequest('workspace/executeCommand', { command: 'frameworkPorter.fixAllInFile', arguments: [uri, version()] });
      const edit = await waitFor('workspace/applyEdit', () => c.applied[0]);
      const edits = docEdit(edit, uri, version());
      assert.equal(applyTextEdits(text(), edits), want);
      await change(c, uri, asChanges(text(), edits));
      const ds = await diagnosticsOf(c, uri, 'diagnostics after fix-all');
      assert.deepEqual(ruleLines(ds), await expected(want, django, index));
      assert.ok(ds.some((d) => d.code === 'port-todo' && d.severity === 3 && String(d.message).startsWith('left for a person: ')), 'TODO(port) comments are information diagnostics');
      // a stale version is refused
      await c.conn.sendRequest('workspace/executeCommand', { command: 'frameworkPorter.fixAllInFile', arguments: [uri, 1] });
      assert.equal(c.applied.length, 1);
    });

    await t.test('didClose clears the diagnostics', async () => {
      await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      await waitFor('empty diagnostics', () => c.diags.get(uri)?.diagnostics.length === 0);
    });

    await t.test('shutdown and exit end the process cleanly', async () => {
      await c.conn.sendRequest('shutdown');
      const exited = new Promise<number | null>((resolve) => c.child.once('exit', (code) => resolve(code)));
      await c.conn.sendNotification('exit');
      assert.equal(await exited, 0);
      assert.deepEqual(c.logs.filter((l) => / failed: /.test(l)), [], 'no handler failed');
    });
  } finally {
    c.conn.dispose();
    if (c.child.exitCode === null) c.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
