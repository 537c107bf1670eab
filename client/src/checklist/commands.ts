// The checklist's commands: view title (refresh, group by, target, export, start porting) and item context menu
// (apply the fix, fix the rule in the workspace, won't port, reopen), plus reveal and open.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CONFIG_SECTION,
  FixOccurrenceRequest,
  FixRuleInWorkspaceRequest,
  ReopenRequest,
  ReportRequest,
  RescanRequest,
  StartPortingRequest,
  WontPortRequest,
  type ChecklistSnapshot,
} from '../../../protocol';
import { outputChannel } from '../output';
import { CHECKLIST_VIEW, ChecklistCommands } from './ids';
import { targetName, type ChecklistNode, type GroupBy } from './model';
import { revealNode } from './provider';

export interface ChecklistCommandDeps {
  client: LanguageClient;
  snapshots(): readonly ChecklistSnapshot[];
  /** fetches the checklist again now and waits for it */
  refetch(): Promise<void>;
  setGroupBy(groupBy: GroupBy): Promise<void>;
}

const TARGETS = ['django', 'fastapi', 'flask'] as const;
const FORMATS = [
  { label: 'HTML', description: 'a page to share', format: 'html' as const, ext: 'html' },
  { label: 'Markdown', description: 'for a wiki or an issue', format: 'md' as const, ext: 'md' },
  { label: 'JSON', description: 'for scripts and dashboards', format: 'json' as const, ext: 'json' },
];

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs a command body; failures go to the output channel and an error message instead of vanishing. */
function guarded<A extends unknown[]>(what: string, fn: (...args: A) => PromiseLike<unknown> | unknown) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      outputChannel().error(`${what}: ${message(e)}`);
      void vscode.window.showErrorMessage(`Framework Porter: ${what} failed: ${message(e)}`);
    }
  };
}

/** The nodes a context-menu command applies to: the selection when it includes the clicked node, else the node. */
function targets(node: ChecklistNode | undefined, selected: readonly ChecklistNode[] | undefined): ChecklistNode[] {
  if (selected?.length && (!node || selected.some((n) => n.id === node.id))) return [...selected];
  return node ? [node] : [];
}

function idsByFolder(nodes: readonly ChecklistNode[], pick: (n: ChecklistNode) => readonly string[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const n of nodes) {
    const ids = pick(n);
    if (!ids.length) continue;
    let set = out.get(n.folderUri);
    if (!set) out.set(n.folderUri, (set = new Set()));
    for (const id of ids) set.add(id);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

/** The folder a title-bar command acts on: the node's, the only one, or one the user picks. */
async function pickFolder(deps: ChecklistCommandDeps, node: ChecklistNode | undefined, placeHolder: string): Promise<{ uri: string; name: string; snapshot?: ChecklistSnapshot } | undefined> {
  const snaps = deps.snapshots();
  if (node) {
    const s = snaps.find((x) => x.folderUri === node.folderUri);
    return { uri: node.folderUri, name: s?.folderName ?? node.folderUri, snapshot: s };
  }
  const folders = snaps.length
    ? snaps.map((s) => ({ uri: s.folderUri, name: s.folderName, snapshot: s as ChecklistSnapshot | undefined }))
    : (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: f.uri.toString(), name: f.name, snapshot: undefined }));
  if (folders.length <= 1) {
    if (!folders.length) void vscode.window.showInformationMessage('Framework Porter: open a folder first.');
    return folders[0];
  }
  const picked = await vscode.window.showQuickPick(
    folders.map((f) => ({ label: f.name, description: f.snapshot ? targetName(f.snapshot.target) : '', folder: f })),
    { placeHolder },
  );
  return picked?.folder;
}

async function applyWorkspaceEdit(deps: ChecklistCommandDeps, edit: Parameters<LanguageClient['protocol2CodeConverter']['asWorkspaceEdit']>[0], refactoring: boolean): Promise<boolean> {
  const ws = await deps.client.protocol2CodeConverter.asWorkspaceEdit(edit);
  if (!ws || ws.size === 0) {
    void vscode.window.showInformationMessage('Framework Porter: nothing to change.');
    return false;
  }
  const applied = await vscode.workspace.applyEdit(ws, refactoring ? { isRefactoring: true } : undefined);
  if (!applied) void vscode.window.showWarningMessage('Framework Porter: the edit was not applied.');
  return applied;
}

export function registerChecklistCommands(context: vscode.ExtensionContext, deps: ChecklistCommandDeps) {
  const { client } = deps;
  const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg(ChecklistCommands.open, () => vscode.commands.executeCommand(`${CHECKLIST_VIEW}.focus`));
  reg(ChecklistCommands.reveal, guarded('Go to occurrence', (node?: ChecklistNode) => revealNode(node)));

  reg(
    ChecklistCommands.refresh,
    guarded('Refresh', () =>
      vscode.window.withProgress({ location: { viewId: CHECKLIST_VIEW } }, async () => {
        await client.sendRequest(RescanRequest.type, {});
        await deps.refetch();
      }),
    ),
  );
  reg(ChecklistCommands.groupByFile, () => deps.setGroupBy('file'));
  reg(ChecklistCommands.groupByCategory, () => deps.setGroupBy('category'));

  reg(
    ChecklistCommands.filterTarget,
    guarded('Choose the target', async (node?: ChecklistNode) => {
      const folder = await pickFolder(deps, node, 'Which folder to retarget?');
      if (!folder) return;
      const uri = vscode.Uri.parse(folder.uri);
      const config = vscode.workspace.getConfiguration(CONFIG_SECTION, uri);
      const current = folder.snapshot?.target ?? config.get<string>('target');
      const picked = await vscode.window.showQuickPick(
        TARGETS.map((t) => ({ label: targetName(t), description: t === current ? 'current' : '', target: t, picked: t === current })),
        { placeHolder: `Port ${folder.name} to…` },
      );
      if (!picked || picked.target === current) return;
      const target = vscode.workspace.getWorkspaceFolder(uri) ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
      await config.update('target', picked.target, target);
    }),
  );

  reg(
    ChecklistCommands.startPorting,
    guarded('Start porting', async (node?: ChecklistNode) => {
      let folders: { uri: string; name: string; snapshot?: ChecklistSnapshot }[] = [];
      const snaps = deps.snapshots();
      if (node || snaps.length <= 1) {
        const f = await pickFolder(deps, node, 'Which folder to start porting?');
        if (f) folders = [f];
      } else {
        const picked = await vscode.window.showQuickPick(
          snaps.map((s) => ({ label: s.folderName, description: s.hasBaseline ? 'has a baseline' : targetName(s.target), picked: !s.hasBaseline, folder: { uri: s.folderUri, name: s.folderName, snapshot: s } })),
          { canPickMany: true, placeHolder: 'Record a baseline for which folders?' },
        );
        folders = (picked ?? []).map((p) => p.folder);
      }
      if (!folders.length) return;
      const again = folders.filter((f) => f.snapshot?.hasBaseline);
      if (again.length) {
        const ok = await vscode.window.showWarningMessage(
          `${again.map((f) => f.name).join(', ')} already ${again.length === 1 ? 'has' : 'have'} a baseline. Record a new one? Progress will be measured from what is left now.`,
          { modal: true },
          'Record New Baseline',
        );
        if (!ok) return;
      }
      for (const f of folders) {
        const { baseline } = await client.sendRequest(StartPortingRequest.type, { folderUri: f.uri });
        void vscode.window.showInformationMessage(`Framework Porter: ${f.name}: baseline recorded, ${baseline} idiom${baseline === 1 ? '' : 's'} to port.`);
      }
      await deps.refetch();
    }),
  );

  reg(
    ChecklistCommands.exportReport,
    guarded('Export report', async (node?: ChecklistNode) => {
      const folder = await pickFolder(deps, node, 'Report on which folder?');
      if (!folder) return;
      const format = await vscode.window.showQuickPick(FORMATS, { placeHolder: 'Report format' });
      if (!format) return;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Framework Porter: writing the porting report…' },
        () => client.sendRequest(ReportRequest.type, { folderUri: folder.uri, format: format.format }),
      );
      const fileName = report.fileName ? path.posix.basename(report.fileName) : `porting-report.${format.ext}`;
      const dest = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(vscode.Uri.parse(folder.uri), fileName),
        filters: { [format.label]: [format.ext] },
        saveLabel: 'Save Report',
        title: 'Save the porting report',
      });
      if (!dest) return;
      await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(report.content));
      const open = await vscode.window.showInformationMessage(`Framework Porter: porting report saved to ${path.posix.basename(dest.path)}.`, 'Open');
      if (open !== 'Open') return;
      if (format.format === 'html') await vscode.env.openExternal(dest);
      else await vscode.window.showTextDocument(dest);
    }),
  );

  reg(
    ChecklistCommands.applyFix,
    guarded('Apply the fix', async (node?: ChecklistNode) => {
      if (!node?.occurrenceId) return;
      const edit = await client.sendRequest(FixOccurrenceRequest.type, { folderUri: node.folderUri, id: node.occurrenceId });
      if (!edit) {
        void vscode.window.showInformationMessage('Framework Porter: this occurrence has no automatic fix (any more); port it by hand.');
        return;
      }
      if (await applyWorkspaceEdit(deps, edit, false)) await deps.refetch();
    }),
  );

  reg(
    ChecklistCommands.fixRuleInWorkspace,
    guarded('Fix the rule in the workspace', async (node?: ChecklistNode) => {
      if (!node?.rule) return;
      const edit = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Framework Porter: fixing ${node.rule} in the workspace…` },
        () => client.sendRequest(FixRuleInWorkspaceRequest.type, { folderUri: node.folderUri, rule: node.rule! }),
      );
      // isRefactoring: VS Code shows its refactor preview for the change annotations that need confirmation
      if (await applyWorkspaceEdit(deps, edit, true)) await deps.refetch();
    }),
  );

  reg(
    ChecklistCommands.wontPort,
    // a reason passed as the third argument (keybindings, other extensions, tests) skips the input box
    guarded("Mark won't port", async (node?: ChecklistNode, selected?: ChecklistNode[], given?: unknown) => {
      const byFolder = idsByFolder(targets(node, selected), (n) => n.openIds);
      const count = [...byFolder.values()].reduce((n, ids) => n + ids.length, 0);
      if (!count) return;
      const reason = typeof given === 'string' && given.trim() ? given : await vscode.window.showInputBox({
        title: "Won't port",
        prompt: `Why won't ${count === 1 ? 'this occurrence' : `these ${count} occurrences`} be ported? (kept in the shared checklist)`,
        placeHolder: 'e.g. dead code, removed with the old admin',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'A reason is required.'),
      });
      if (!reason?.trim()) return;
      for (const [folderUri, ids] of byFolder) await client.sendRequest(WontPortRequest.type, { folderUri, ids, reason: reason.trim() });
      await deps.refetch();
    }),
  );

  reg(
    ChecklistCommands.reopen,
    guarded('Reopen', async (node?: ChecklistNode, selected?: ChecklistNode[]) => {
      const byFolder = idsByFolder(targets(node, selected), (n) => n.wontPortIds);
      if (!byFolder.size) return;
      for (const [folderUri, ids] of byFolder) await client.sendRequest(ReopenRequest.type, { folderUri, ids });
      await deps.refetch();
    }),
  );
}
