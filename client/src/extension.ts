// The extension's entry point: one activateX(context) per feature, nothing else. When it runs for tests,
// `activate` returns a small read-only API built from what the features return (see testApi.ts).
import type { ExtensionContext } from 'vscode';
import { activateOutput } from './output';
import { activateLanguageClient, deactivateLanguageClient } from './languageClient';
import { activateCommands } from './commands';
import { activateChecklist } from './checklist/activate';
import { testApi } from './testApi';

export function activate(context: ExtensionContext) {
  activateOutput(context);
  const client = activateLanguageClient(context);
  activateCommands(context);
  const checklist = activateChecklist(context, client);
  return testApi(context, { checklist, client });
}

export function deactivate() {
  return deactivateLanguageClient();
}
