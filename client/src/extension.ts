// The extension's entry point: one activateX(context) per feature, nothing else.
import type { ExtensionContext } from 'vscode';
import { activateOutput } from './output';
import { activateLanguageClient, deactivateLanguageClient } from './languageClient';
import { activateCommands } from './commands';

export function activate(context: ExtensionContext) {
  activateOutput(context);
  activateLanguageClient(context);
  activateCommands(context);
}

export function deactivate() {
  return deactivateLanguageClient();
}
