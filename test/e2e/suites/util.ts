// Helpers of the end-to-end suites. Only the `vscode` API: the same suites run in VS Code (@vscode/test-electron)
// and in code-server (the driver extension). Everything waits by polling a condition, never by sleeping blind.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'framework-porter.framework-porter';
export const SOURCE = 'Framework Porter';

/** What activate() returns when the extension runs for tests. */
export interface ChecklistNodeLike {
  id: string;
  kind: string;
  label: string;
  description: string;
  children: ChecklistNodeLike[];
  folderUri: string;
  uri?: string;
  rule?: string;
  state?: string;
  counts?: { total: number; open: number; ported: number; wontPort: number; regressions: number; left: number };
  openIds: string[];
  wontPortIds: string[];
}
export interface TestApi {
  getChecklistTree(): ChecklistNodeLike[];
  getStatusText(): string;
  refreshChecklist?(): Promise<ChecklistNodeLike[]>;
  serverPid?(): Promise<number | undefined>;
}

export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the fixture workspace is open');
  return f;
}

export function fileUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(folder().uri, ...rel.split('/'));
}

export async function poll<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function activate(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  const api = await ext.activate();
  return api;
}

export function portingDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c ? String(c.value) : String(c);
}

/** The diagnostics (rule@0-based line) of the fixture files as saved: a test waits for these after a revert, so it
 *  never works on the diagnostics of the text before (they lag the text by one analysis). */
export const PRISTINE: Record<string, string[]> = {
  'app.py': ['flask-app@2', 'flask-route@5', 'flask-request-args@7', 'flask-jsonify@8', 'flask-route@11', 'flask-request-method@13', 'flask-redirect@14', 'flask-render-template@15'],
  'models.py': ['fsa-db-setup@2', 'fsa-model@5', 'fsa-column@6', 'fsa-column@7', 'fsa-query@11'],
};

export function signature(ds: readonly vscode.Diagnostic[]): string[] {
  return [...ds].sort((a, b) => a.range.start.compareTo(b.range.start)).map((d) => `${codeOf(d)}@${d.range.start.line}`);
}

/** Opens a fixture file in an editor and waits until its porting diagnostics satisfy `ready` (default: those of
 *  the saved file for the files in PRISTINE, else any). */
export async function openWithDiagnostics(rel: string, ready?: (ds: vscode.Diagnostic[]) => boolean) {
  const expected = PRISTINE[rel];
  ready ??= expected ? (ds) => JSON.stringify(signature(ds)) === JSON.stringify(expected) : (ds) => ds.length > 0;
  const doc = await vscode.workspace.openTextDocument(fileUri(rel));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const diags = await poll(`porting diagnostics on ${rel}`, () => {
    const ds = portingDiagnostics(doc.uri);
    return ready(ds) ? ds : undefined;
  });
  return { doc, editor, diags };
}

export function diagnosticOf(uri: vscode.Uri, rule: string, line?: number): vscode.Diagnostic {
  const d = portingDiagnostics(uri).find((x) => codeOf(x) === rule && (line === undefined || x.range.start.line === line));
  assert.ok(d, `a ${rule} diagnostic${line === undefined ? '' : ` on line ${line + 1}`} in ${uri.path}`);
  return d;
}

/** The code actions VS Code gathers at `range`, with up to 50 resolved (the "Fix all" actions resolve lazily). */
export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind, 50)) ?? [];
}

/** Applies a code action like the light bulb does: its edit, then its command. */
export async function applyAction(action: vscode.CodeAction) {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `the edit of "${action.title}" applies`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

/** Throws away unsaved changes of a fixture document (the suites never save). */
export async function revert(doc: vscode.TextDocument) {
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await poll(`${doc.uri.path} reverted`, () => !doc.isDirty);
}

export async function closeAll() {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export function* walk(nodes: readonly ChecklistNodeLike[]): Generator<ChecklistNodeLike> {
  for (const n of nodes) {
    yield n;
    yield* walk(n.children);
  }
}
