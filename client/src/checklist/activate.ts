// The porting checklist on the client: fetches snapshots (and rule info) from the server, refetches on
// ChecklistChangedNotification, and drives the tree view, its context keys and the status items.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { ChecklistChangedNotification, ChecklistRequest, CONFIG_SECTION, RulesInfoRequest, type ChecklistSnapshot } from '../../../protocol';
import { outputChannel } from '../output';
import { registerChecklistCommands } from './commands';
import { CHECKLIST_VIEW, ContextKeys, GROUP_BY_SETTING } from './ids';
import { formatEffort, summarize, type ChecklistNode, type GroupBy, type RulesInfo } from './model';
import { ChecklistProvider } from './provider';
import { createPortingStatus } from './status';

export interface ChecklistApi {
  /** the tree as plain model nodes, as last built */
  getChecklistTree(): ChecklistNode[];
  /** e.g. "Porting to Django · 31 %" ('' before the first checklist) */
  getStatusText(): string;
  /** fetches the checklist from the server now, then returns the tree */
  refreshChecklist(): Promise<ChecklistNode[]>;
  /** why the tree is empty ('loading', 'error', 'noFolder', …), or '' */
  getEmptyReason(): string;
  getGroupBy(): GroupBy;
}

const REFETCH_DELAY_MS = 150;

function readGroupBy(): GroupBy {
  return vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>(GROUP_BY_SETTING) === 'file' ? 'file' : 'category';
}

/** Resolves once the client runs (the test API waits for it instead of answering from an empty tree). */
function whenRunning(client: LanguageClient, timeoutMs = 15000): Promise<void> {
  if (client.state === State.Running) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    // never hang a caller: after the timeout it gets the tree as it is
    const timer = setTimeout(done, timeoutMs);
    const sub = client.onDidChangeState((e) => {
      if (e.newState === State.Running) done();
    });
  });
}

export function activateChecklist(context: vscode.ExtensionContext, client: LanguageClient): ChecklistApi {
  const provider = new ChecklistProvider(readGroupBy());
  const view = vscode.window.createTreeView(CHECKLIST_VIEW, { treeDataProvider: provider, showCollapseAll: true, canSelectMany: true });
  const status = createPortingStatus(context);
  context.subscriptions.push(provider, view);

  let failed = false;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const render = () => {
    const snaps = provider.getSnapshots();
    const s = summarize(snaps);
    const empty = failed ? 'error' : (provider.emptyReason() ?? '');
    void vscode.commands.executeCommand('setContext', ContextKeys.empty, empty);
    void vscode.commands.executeCommand('setContext', ContextKeys.hasBaseline, s?.hasBaseline ?? false);
    void vscode.commands.executeCommand('setContext', ContextKeys.groupBy, provider.getGroupBy());
    status.update(snaps);
    view.description = s ? (s.hasBaseline ? `${s.percent} % · ${formatEffort(s.effortLeftMinutes)} left` : `${s.left} left · ${formatEffort(s.effortLeftMinutes)}`) : undefined;
    view.badge = s && s.left ? { value: s.left, tooltip: `${s.left} idiom${s.left === 1 ? '' : 's'} left to port` } : undefined;
    if (empty) view.message = undefined;
    else if (s && !s.hasBaseline) view.message = 'No baseline yet: Start Porting records what is left now, so progress can be measured.';
    else if (s && s.left === 0) view.message = 'Everything is ported (or marked won’t port).';
    else view.message = undefined;
  };

  const fetchNow = (): Promise<void> => {
    const mine = ++generation;
    const run = (async () => {
      if (client.state !== State.Running) return;
      try {
        const snaps = (await client.sendRequest(ChecklistRequest.type, {})) ?? [];
        if (mine !== generation) return; // a newer fetch answers instead
        failed = false;
        provider.update({ snapshots: snaps });
      } catch (e) {
        if (mine !== generation) return;
        failed = true;
        outputChannel().warn(`The porting checklist could not be fetched: ${e instanceof Error ? e.message : String(e)}`);
        provider.update({ snapshots: [] });
      }
      render();
    })();
    inFlight = run;
    return run;
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void fetchNow();
    }, REFETCH_DELAY_MS);
  };

  const fetchRules = async () => {
    try {
      const infos = (await client.sendRequest(RulesInfoRequest.type, {})) ?? [];
      const rules: RulesInfo = {};
      for (const i of infos) rules[i.id] = i;
      provider.update({ rules });
      render();
    } catch (e) {
      // an older server without frameworkPorter/rules: tooltips go without before → after
      outputChannel().debug(`Rule info unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const setGroupBy = async (groupBy: GroupBy) => {
    provider.update({ groupBy });
    render();
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    if (config.get(GROUP_BY_SETTING) === groupBy) return;
    const inspected = config.inspect(GROUP_BY_SETTING);
    const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    try {
      await config.update(GROUP_BY_SETTING, groupBy, target);
    } catch (e) {
      outputChannel().warn(`Could not save ${CONFIG_SECTION}.${GROUP_BY_SETTING}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  context.subscriptions.push(
    client.onNotification(ChecklistChangedNotification.type, () => schedule()),
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        void fetchRules();
        void fetchNow();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => schedule()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${CONFIG_SECTION}.${GROUP_BY_SETTING}`) && readGroupBy() !== provider.getGroupBy()) {
        provider.update({ groupBy: readGroupBy() });
        render();
      } else if (e.affectsConfiguration(CONFIG_SECTION)) schedule();
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );

  registerChecklistCommands(context, {
    client,
    snapshots: () => provider.getSnapshots(),
    refetch: () => fetchNow(),
    setGroupBy,
  });

  render();
  if (client.state === State.Running) {
    void fetchRules();
    void fetchNow();
  }

  return {
    getChecklistTree: () => structuredClone([...provider.getRoots()]),
    getStatusText: () => status.text(),
    refreshChecklist: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await whenRunning(client);
      await fetchNow();
      await inFlight;
      return structuredClone([...provider.getRoots()]);
    },
    getEmptyReason: () => (failed ? 'error' : (provider.emptyReason() ?? '')),
    getGroupBy: () => provider.getGroupBy(),
  };
}
