// What `activate` returns when the extension runs for tests (and only then): read-only views of the features'
// state for the end-to-end suites. Never part of the public surface.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ServerInfoRequest } from '../../protocol';
import type { ChecklistApi } from './checklist/activate';

export type TestApi = ChecklistApi & {
  /** the running language server's process id (to test crash recovery) */
  serverPid(): Promise<number | undefined>;
};

export function isTestRun(context: vscode.ExtensionContext): boolean {
  return process.env.FRAMEWORK_PORTER_TEST === '1' || context.extensionMode === vscode.ExtensionMode.Test;
}

export function testApi(context: vscode.ExtensionContext, parts: { checklist: ChecklistApi; client: LanguageClient }): TestApi | undefined {
  if (!isTestRun(context)) return undefined;
  const { checklist } = parts;
  return {
    getChecklistTree: () => checklist.getChecklistTree(),
    getStatusText: () => checklist.getStatusText(),
    refreshChecklist: () => checklist.refreshChecklist(),
    getEmptyReason: () => checklist.getEmptyReason(),
    getGroupBy: () => checklist.getGroupBy(),
    serverPid: async () => {
      if (!parts.client.isRunning()) return undefined;
      try {
        const info = (await parts.client.sendRequest(ServerInfoRequest.method)) as { pid: number };
        return info.pid;
      } catch {
        return undefined;
      }
    },
  };
}
