// The client's own commands. frameworkPorter.fixAllInFile is the server's (workspace/executeCommand); the
// language client registers it when the server announces it.
import * as vscode from 'vscode';
import { Commands } from '../../protocol';
import { outputChannel } from './output';
import { restartLanguageClient } from './languageClient';

export function activateCommands(context: vscode.ExtensionContext) {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showOutput, () => outputChannel().show(true)),
    vscode.commands.registerCommand(Commands.restartServer, async () => {
      try {
        await restartLanguageClient();
      } catch (e) {
        void vscode.window.showErrorMessage(`Framework Porter: could not restart the language server: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
