// The porting checklist over stdio (dist/server.js, `npm run build` first): the workspace scan with work-done
// progress, the checklist snapshot of open and closed files, "Start porting" writing .framework-porter/state.json,
// a fix applied on disk turning an occurrence 'ported', won't port with a reason, fix-all of a rule as annotated
// edits needing confirmation, diagnostics of closed files with diagnostics.scope = workspace, the report.
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
  type MessageConnection,
  type PublishDiagnosticsParams,
  type TextDocumentEdit,
  type TextEdit,
  type AnnotatedTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { ChecklistSnapshot, RuleInfoItem } from '../../protocol';
import { RULES, grammar } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { LineMap } from '../../server/src/analysis/lineMap';
import { loadProject } from '../../server/src/workspace/project';
import { DEFAULT_SETTINGS } from '../../server/src/analysis/types';
import { thousands } from '../../server/src/lsp/checklist';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');

const APP = `from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/")
def index():
    return jsonify(ok=True)


@app.route("/about")
def about():
    return jsonify(page="about")
`;

const EXTRA = `from flask import Blueprint, jsonify, request

bp = Blueprint("extra", __name__)


@bp.route("/items")
def items():
    q = request.args.get("q")
    return jsonify(q=q)


class Handlers:
    def ping(self):
        return jsonify(pong=True)
`;

const HELPERS = `def add(a, b):
    return a + b
`;

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineMap(text);
  const offs = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText }));
  offs.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of offs) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Client {
  conn: MessageConnection;
  child: ChildProcess;
  settings: Record<string, unknown>;
  diags: Map<string, PublishDiagnosticsParams>;
  logs: string[];
  shown: string[];
  progress: { token: unknown; value: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean } }[];
  created: unknown[];
  changed: string[];
  registrations: { method: string; registerOptions?: { watchers?: { globPattern: string }[] } }[];
}

function start(settings: Record<string, unknown>): Client {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => process.stderr.write(`[server stderr] ${d}`));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const c: Client = { conn, child, settings, diags: new Map(), logs: [], shown: [], progress: [], created: [], changed: [], registrations: [] };
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => c.settings));
  conn.onRequest('client/registerCapability', (p: { registrations: Client['registrations'] }) => {
    c.registrations.push(...p.registrations);
    return null;
  });
  conn.onRequest('window/workDoneProgress/create', (p: { token: unknown }) => {
    c.created.push(p.token);
    return null;
  });
  conn.onNotification('$/progress', (p: Client['progress'][number]) => {
    c.progress.push(p);
  });
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    c.diags.set(p.uri, p);
  });
  conn.onNotification('window/logMessage', (p: { message: string }) => {
    c.logs.push(p.message);
  });
  conn.onNotification('window/showMessage', (p: { message: string }) => {
    c.shown.push(p.message);
  });
  conn.onRequest('window/showMessageRequest', (p: { message: string }) => {
    c.shown.push(p.message);
    return null;
  });
  conn.onNotification('frameworkPorter/checklistChanged', (p: { folderUri: string }) => {
    c.changed.push(p.folderUri);
  });
  conn.listen();
  return c;
}

/** (rule, file, line) of every finding the analyzer itself gives for the project's files. */
async function expectedOccurrences(dir: string): Promise<string[]> {
  const g = await grammar;
  const { files, index } = await loadProject(g, dir);
  const out: string[] = [];
  for (const f of files) {
    const a = analyze(g, f.text, { settings: { ...DEFAULT_SETTINGS, target: 'django' }, path: f.rel, index }, RULES);
    for (const x of a.findings) out.push(`${x.rule}|${f.rel}|${x.range.start.line}`);
    a.dispose();
  }
  return out.sort();
}

const key = (o: { rule: string; file: string; range: { start: { line: number } } }) => `${o.rule}|${o.file}|${o.range.start.line}`;

test('progress counts are grouped by thousands as en-US groups them', () => {
  for (const n of [0, 7, 999, 1000, 1686, 12345, 999999, 1000000, 1234567, 98765432101]) assert.equal(thousands(n), n.toLocaleString('en-US'), String(n));
});

test('porting checklist over stdio', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-checklist-'));
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-storage-'));
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  w('app.py', APP);
  w('views/extra.py', EXTRA);
  w('views/__init__.py', '');
  w('util/helpers.py', HELPERS);
  w('generated/skip.py', EXTRA); // .gitignore'd
  w('venv/lib/flasky.py', EXTRA); // excluded by default
  w('.gitignore', 'generated/\n');
  const folderUri = pathToFileURL(dir).href;
  const appUri = pathToFileURL(path.join(dir, 'app.py')).href;
  const extraUri = pathToFileURL(path.join(dir, 'views', 'extra.py')).href;
  const statePath = path.join(dir, '.framework-porter', 'state.json');
  const c = start({ target: 'django' });
  const checklist = async () => ((await c.conn.sendRequest('frameworkPorter/checklist', { folderUri })) as ChecklistSnapshot[])[0];
  /** the next snapshot after a checklistChanged notification that satisfies ok */
  const snapshotWhen = (what: string, ok: (s: ChecklistSnapshot) => boolean) =>
    waitFor(what, async () => {
      const s = await checklist();
      return s && !s.scanning && ok(s) ? s : undefined;
    });

  try {
    await t.test('the scan runs at initialized with cancellable work-done progress', async () => {
      await c.conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: folderUri,
        workspaceFolders: [{ uri: folderUri, name: 'ws' }],
        initializationOptions: { storagePath: storage },
        capabilities: {
          window: { workDoneProgress: true },
          workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true, changeAnnotationSupport: {} } },
        },
      });
      await c.conn.sendNotification('initialized', {});
      await waitFor('the end of the scan progress', () => c.progress.some((p) => p.value.kind === 'end'));
      const begin = c.progress.find((p) => p.value.kind === 'begin')!;
      assert.ok(begin, 'a begin');
      assert.equal(begin.value.cancellable, true);
      assert.match(begin.value.title!, /scanning/i);
      assert.ok(c.created.includes(begin.token), 'the token was created by window/workDoneProgress/create');
      const reports = c.progress.filter((p) => p.value.kind === 'report');
      assert.ok(reports.length >= 1);
      assert.ok(reports.every((r) => /^Scanning \d[\d,]*\/\d[\d,]* files$/.test(r.value.message!)), reports.map((r) => r.value.message).join());
      assert.equal(reports[reports.length - 1].value.message, 'Scanning 4/4 files');
      assert.equal(reports[reports.length - 1].value.percentage, 100);
      // the watchers cover Python files and the state file
      const globs = c.registrations.flatMap((r) => r.registerOptions?.watchers?.map((x) => x.globPattern) ?? []);
      assert.ok(globs.includes('**/.framework-porter/state.json'));
      // the cache lives in the storage path, not in the workspace
      await waitFor('the scan cache', () => fs.existsSync(path.join(storage, 'scan-cache')) && fs.readdirSync(path.join(storage, 'scan-cache')).length > 0);
      assert.ok(!fs.readdirSync(dir).some((f) => /cache/i.test(f)));
    });

    let first: ChecklistSnapshot;
    await t.test('the checklist lists every occurrence of every selected file, open or not', async () => {
      first = await snapshotWhen('the first snapshot', (s) => s.filesScanned === 4);
      assert.equal(first.folderUri, folderUri);
      assert.equal(first.hasBaseline, false);
      assert.equal(first.target, 'django');
      const got = first.occurrences.map(key).sort();
      const want = (await expectedOccurrences(dir)).filter((k) => !k.includes('generated/') && !k.includes('venv/'));
      assert.deepEqual(got, want);
      assert.ok(first.occurrences.every((o) => o.state === 'open'));
      assert.ok(first.occurrences.some((o) => o.file === 'views/extra.py' && o.scope === 'Handlers.ping'));
      assert.ok(first.occurrences.every((o) => o.uri === pathToFileURL(path.join(dir, o.file)).href));
      assert.ok(first.occurrences.every((o) => o.effortMinutes > 0 && o.title && o.category));
      assert.equal(first.overall.percent, 0);
      assert.equal(first.overall.effortLeftMinutes, first.occurrences.reduce((n, o) => n + o.effortMinutes, 0));
      // the notification is debounced: it may follow the snapshot by a moment
      await waitFor('checklistChanged to be sent', () => c.changed.includes(folderUri));
    });

    await t.test('"Start porting" records the baseline in .framework-porter/state.json', async () => {
      const r = (await c.conn.sendRequest('frameworkPorter/startPorting', { folderUri })) as { baseline: number };
      assert.equal(r.baseline, first.occurrences.length);
      const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
      assert.equal(state.version, 1);
      assert.equal(state.target, 'django');
      assert.deepEqual(state.baseline, first.occurrences.map((o) => o.id).sort());
      assert.ok(state.baseline.every((id: string) => !id.includes(dir)), 'paths relative to the folder');
      const s = await snapshotWhen('a snapshot with the baseline', (x) => x.hasBaseline);
      assert.equal(s.overall.baseline, r.baseline);
      assert.equal(s.overall.open, r.baseline);
    });

    let fixedId = '';
    await t.test('a fix of one occurrence of a closed file, applied on disk, makes it ported', async () => {
      const occ = first.occurrences.find((o) => o.file === 'views/extra.py' && o.rule === 'flask-jsonify' && o.scope === 'Handlers.ping')!;
      fixedId = occ.id;
      const edit = (await c.conn.sendRequest('frameworkPorter/fixOccurrence', { folderUri, id: occ.id })) as WorkspaceEdit;
      assert.ok(edit?.documentChanges?.length === 1);
      const dc = edit.documentChanges[0] as TextDocumentEdit;
      assert.equal(dc.textDocument.uri, extraUri);
      assert.equal(dc.textDocument.version, null, 'a closed file: no version');
      const after = applyTextEdits(EXTRA, dc.edits as TextEdit[]);
      assert.ok(after.includes('JsonResponse({"pong": True})'), after);
      fs.writeFileSync(path.join(dir, 'views', 'extra.py'), after);
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: extraUri, type: 2 }] });
      const s = await snapshotWhen('the occurrence ported', (x) => x.occurrences.find((o) => o.id === occ.id)?.state === 'ported');
      assert.ok(s.overall.percent > 0);
      assert.equal(s.overall.ported, 1);
      assert.equal(s.overall.regressions, 0, 'the other occurrences of the file kept their ids');
      const ported = s.occurrences.find((o) => o.id === occ.id)!;
      assert.deepEqual(ported.range, occ.range, 'where it was last seen');
    });

    await t.test('an open document overrides the file on disk', async () => {
      const text = APP.replace('    return jsonify(page="about")\n', '    return {"page": "about"}\n');
      await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: appUri, languageId: 'python', version: 1, text } });
      const gone = first.occurrences.find((o) => o.file === 'app.py' && o.rule === 'flask-jsonify' && o.scope === 'about')!;
      const s = await snapshotWhen('the open document’s analysis', (x) => x.occurrences.find((o) => o.id === gone.id)?.state === 'ported');
      assert.equal(s.overall.ported, 2);
      await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: appUri } });
      await snapshotWhen('the disk again after close', (x) => x.occurrences.find((o) => o.id === gone.id)?.state === 'open');
    });

    await t.test('won’t port with a reason is written to the state file, and reopen removes it', async () => {
      const occ = first.occurrences.find((o) => o.file === 'views/extra.py' && o.rule === 'flask-request-args')!;
      assert.ok(occ, 'a request.args occurrence');
      await c.conn.sendRequest('frameworkPorter/wontPort', { folderUri, ids: [occ.id], reason: 'search goes away in v2' });
      const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
      assert.deepEqual(state.wontPort, { [occ.id]: 'search goes away in v2' });
      assert.ok(fs.readFileSync(statePath, 'utf8').includes(`    ${JSON.stringify(occ.id)}: "search goes away in v2"\n`), 'one entry per line');
      const s = await snapshotWhen('won’t port shown', (x) => x.occurrences.find((o) => o.id === occ.id)?.state === 'wontPort');
      assert.equal(s.occurrences.find((o) => o.id === occ.id)!.reason, 'search goes away in v2');
      // the denominator shrinks: ported / (baseline − won't port)
      assert.equal(s.overall.percent, Math.floor((100 * s.overall.ported) / (s.overall.baseline - 1)));
      await c.conn.sendRequest('frameworkPorter/reopen', { folderUri, ids: [occ.id] });
      assert.deepEqual(JSON.parse(fs.readFileSync(statePath, 'utf8')).wontPort, {});
      await c.conn.sendRequest('frameworkPorter/wontPort', { folderUri, ids: [occ.id], reason: 'search goes away in v2' });
    });

    await t.test('a state file edited by someone else (a pull) is picked up through the watcher', async () => {
      const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
      const other = first.occurrences.find((o) => o.file === 'app.py' && o.rule === 'flask-app')!;
      state.wontPort[other.id] = 'from a teammate';
      fs.writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(statePath).href, type: 2 }] });
      await snapshotWhen('the teammate’s decision', (x) => x.occurrences.find((o) => o.id === other.id)?.reason === 'from a teammate');
    });

    await t.test('fix all of a rule in the workspace: annotated edits that need confirmation', async () => {
      const edit = (await c.conn.sendRequest('frameworkPorter/fixRuleInWorkspace', { folderUri, rule: 'flask-jsonify' })) as WorkspaceEdit;
      const dcs = edit.documentChanges as TextDocumentEdit[];
      assert.deepEqual(dcs.map((d) => d.textDocument.uri).sort(), [appUri, extraUri].sort());
      assert.ok(dcs.every((d) => d.textDocument.version === null));
      const annotations = edit.changeAnnotations!;
      for (const d of dcs) {
        for (const e of d.edits as AnnotatedTextEdit[]) {
          const a = annotations[e.annotationId];
          assert.ok(a, 'every edit is annotated');
          assert.equal(a.label, 'Fix flask-jsonify');
          assert.equal(a.needsConfirmation, true);
          assert.ok(a.description === 'app.py' || a.description === 'views/extra.py');
        }
      }
      const app = applyTextEdits(APP, dcs.find((d) => d.textDocument.uri === appUri)!.edits as TextEdit[]);
      assert.ok(!app.includes('jsonify'), app);
      assert.ok(app.includes('@app.route("/")'), 'other rules untouched');
    });

    await t.test('diagnostics.scope = workspace publishes closed files’ diagnostics; openFiles clears them', async () => {
      assert.equal(c.diags.get(extraUri), undefined, 'nothing for closed files by default');
      c.settings = { target: 'django', diagnostics: { scope: 'workspace' } };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frameworkPorter: c.settings } });
      const p = await waitFor('diagnostics of the closed views/extra.py', () => (c.diags.get(extraUri)?.diagnostics.length ? c.diags.get(extraUri) : undefined));
      assert.ok(p.diagnostics.some((d) => d.code === 'flask-route'));
      assert.ok(p.diagnostics.every((d) => d.source === 'Framework Porter'));
      assert.ok(!c.diags.has(pathToFileURL(path.join(dir, 'generated', 'skip.py')).href), 'ignored files get none');
      c.settings = { target: 'django', diagnostics: { scope: 'openFiles' } };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frameworkPorter: c.settings } });
      await waitFor('the closed file’s diagnostics cleared', () => c.diags.get(extraUri)?.diagnostics.length === 0);
    });

    await t.test('the report: html with an inline chart, markdown with links', async () => {
      const html = (await c.conn.sendRequest('frameworkPorter/report', { folderUri, format: 'html' })) as { content: string; fileName: string };
      assert.match(html.fileName, /\.html$/);
      assert.ok(html.content.includes('<svg'));
      assert.doesNotMatch(html.content, /https?:/);
      assert.ok(html.content.includes('search goes away in v2'));
      const md = (await c.conn.sendRequest('frameworkPorter/report', { folderUri, format: 'md' })) as { content: string; fileName: string };
      assert.match(md.fileName, /\.md$/);
      assert.match(md.content, /\]\(views\/extra\.py#L\d+\)/);
      assert.ok(md.content.includes('Progress: '));
    });

    await t.test('rules info for the checklist’s tooltips', async () => {
      const rules = (await c.conn.sendRequest('frameworkPorter/rules', { folderUri })) as RuleInfoItem[];
      const j = rules.find((r) => r.id === 'flask-jsonify')!;
      assert.ok(j.effortMinutes > 0 && j.title && j.docsUri);
      assert.ok(j.examples.length > 0 && j.examples.every((e) => e.target === 'django' || e.target === 'django-orm'));
    });

    await t.test('rescan keeps the ids (the cache makes it quick)', async () => {
      const before = (await checklist()).occurrences.map((o) => `${o.id}:${o.state}`).sort();
      const ends = c.progress.filter((p) => p.value.kind === 'end').length;
      await c.conn.sendRequest('frameworkPorter/rescan', { folderUri });
      await waitFor('another scan', () => c.progress.filter((p) => p.value.kind === 'end').length > ends);
      const after = (await snapshotWhen('after the rescan', () => true)).occurrences.map((o) => `${o.id}:${o.state}`).sort();
      assert.deepEqual(after, before);
      assert.ok(after.some((x) => x.startsWith(fixedId) && x.endsWith(':ported')));
    });

    await t.test('shutdown', async () => {
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
    fs.rmSync(storage, { recursive: true, force: true });
  }
});
