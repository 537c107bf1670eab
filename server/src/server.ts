// The language server: connection and wiring only. The work is in lsp/ (documents, settings, folders,
// diagnostics, code actions, hover, commands) over the pure analyzer in analysis/.
import * as path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  type CodeAction,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { FIX_ALL_KIND, SERVER_COMMANDS, ServerInfoRequest } from '../../protocol';
import { version as SERVER_VERSION } from '../../package.json';
import { loadPython } from './parsing/python';
import { RULES } from './rules/generated';
import { PortService } from './lsp/service';
import { provideCodeActions, resolveCodeAction } from './lsp/codeActions';
import { provideHover } from './lsp/hover';
import { executeCommand } from './lsp/commands';
import { Checklist } from './lsp/checklist';
import { registerChecklistRequests } from './lsp/checklistRequests';

const conn = createConnection(ProposedFeatures.all);
let svc: PortService | undefined;
let checklist: Checklist | undefined;
let canResolve = false;
let folderUris: string[] = [];
let caps: InitializeParams['capabilities'] = {};

const describe = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

/** Runs a handler; an exception is logged in one sentence and answered with `fallback`, never thrown. */
function guard<A extends unknown[], R>(what: string, fallback: R, fn: (s: PortService, ...args: A) => R | Promise<R>) {
  return async (...args: A): Promise<R> => {
    if (!svc) return fallback;
    try {
      return await fn(svc, ...args);
    } catch (e) {
      conn.console.error(`Framework Porter: ${what} failed: ${describe(e)}`);
      return fallback;
    }
  };
}

process.on('uncaughtException', (e) => conn.console.error(`Framework Porter: unexpected error: ${describe(e)}`));
process.on('unhandledRejection', (e) => conn.console.error(`Framework Porter: unexpected error: ${describe(e)}`));

conn.onInitialize(async (params): Promise<InitializeResult> => {
  caps = params.capabilities;
  canResolve = !!caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
  folderUris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  try {
    const grammar = await loadPython();
    svc = new PortService(conn, {
      grammar,
      rules: RULES,
      docsDir: path.join(__dirname, '..', 'docs', 'rules'),
      configuration: !!caps.workspace?.configuration,
      verifyTrees: process.env.FRAMEWORK_PORTER_VERIFY_TREES === '1',
    });
    // initializationOptions.storagePath: the extension's global storage, where the scan cache lives
    const init = (params.initializationOptions ?? {}) as { storagePath?: unknown; scanThreads?: unknown };
    checklist = new Checklist(conn, svc, {
      storagePath: typeof init.storagePath === 'string' ? init.storagePath : undefined,
      threads: typeof init.scanThreads === 'number' ? init.scanThreads : undefined,
    });
  } catch (e) {
    conn.console.error(`Framework Porter could not load the Python grammar, so it analyzes nothing: ${describe(e)}`);
  }
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
      hoverProvider: true,
      executeCommandProvider: { commands: [...SERVER_COMMANDS] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'Framework Porter', version: '0.1.0' },
  };
});

conn.onInitialized(
  guard('initialization', undefined, async (s) => {
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) {
      await conn.client.register(DidChangeConfigurationNotification.type, { section: 'frameworkPorter' });
    }
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      await conn.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{py,pyi}' }, { globPattern: '**/.framework-porter/state.json' }],
      });
    }
    if (caps.workspace?.workspaceFolders) {
      conn.workspace.onDidChangeWorkspaceFolders(
        guard('updating workspace folders', undefined, async (s2, e) => {
          for (const f of e.removed) s2.removeFolder(f.uri);
          for (const f of e.added) await s2.addFolder(f.uri);
        }),
      );
    }
    for (const uri of folderUris) await s.addFolder(uri);
    checklist?.start();
  }),
);

conn.onDidChangeConfiguration(guard('reading changed settings', undefined, (s, p) => s.configurationChanged(p.settings)));
conn.onDidChangeWatchedFiles(
  guard('handling file changes', undefined, (s, p) => {
    for (const c of p.changes) s.fileChanged(c.uri, c.type === FileChangeType.Deleted);
  }),
);

conn.onDidOpenTextDocument(
  guard('opening a document', undefined, (s, p) => {
    if (p.textDocument.languageId === 'python') s.opened(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
  }),
);
conn.onDidChangeTextDocument(guard('applying a document change', undefined, (s, p) => s.changed(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
conn.onDidSaveTextDocument(guard('handling a save', undefined, (s, p) => s.saved(p.textDocument.uri)));
conn.onDidCloseTextDocument(guard('closing a document', undefined, (s, p) => s.closed(p.textDocument.uri)));

conn.onCodeAction(guard('computing code actions', [], (s, p) => provideCodeActions(s, p, canResolve)));
conn.onCodeActionResolve((action) => guard('resolving a code action', action, (s, a: CodeAction) => resolveCodeAction(s, a))(action));
conn.onHover(guard('computing a hover', null, (s, p) => provideHover(s, p.textDocument.uri, p.position)));
registerChecklistRequests(conn, () => checklist);
conn.onRequest(ServerInfoRequest.method, () => ({ pid: process.pid, version: SERVER_VERSION }));
conn.onExecuteCommand(guard('running a command', undefined, (s, p) => executeCommand(s, p)));

conn.onShutdown(() => {
  checklist?.dispose();
  checklist = undefined;
  svc?.dispose();
  svc = undefined;
});

conn.listen();
