// The "Framework Porter" output channel, shared by the language client and the commands.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function outputChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Framework Porter', { log: true });
  return channel;
}

export function activateOutput(context: vscode.ExtensionContext) {
  context.subscriptions.push(outputChannel());
}
