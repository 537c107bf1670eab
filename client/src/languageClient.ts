// Starts dist/server.js over IPC for Python documents (files and untitled), keeps the frameworkPorter settings in
// sync, and fills in the active document for the server's fix-all command when it is run from the palette.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { Commands, CONFIG_SECTION } from '../../protocol';
import { outputChannel } from './output';

let client: LanguageClient | undefined;

function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  return {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
}

function clientOptions(context: vscode.ExtensionContext): LanguageClientOptions {
  return {
    // the scan cache lives in the extension's storage, never in the repository
    initializationOptions: { storagePath: context.globalStorageUri.fsPath },
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    synchronize: { configurationSection: CONFIG_SECTION },
    outputChannel: outputChannel(),
    middleware: {
      // the palette runs frameworkPorter.fixAllInFile without arguments: it means the active editor
      executeCommand: async (command, args, next) => {
        if (command === Commands.fixAllInFile && !args.length) {
          const doc = vscode.window.activeTextEditor?.document;
          if (!doc || doc.languageId !== 'python') {
            void vscode.window.showInformationMessage('Framework Porter: open a Python file to fix.');
            return undefined;
          }
          args = [doc.uri.toString(), doc.version];
        }
        return next(command, args);
      },
    },
  };
}

/** Creates and starts the client; features that talk to the server (the checklist) get it from here. */
export function activateLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const c = new LanguageClient('frameworkPorter', 'Framework Porter', serverOptions(context), clientOptions(context));
  client = c;
  c.start().catch((e: unknown) => outputChannel().error(`The Framework Porter language server did not start: ${e instanceof Error ? e.message : String(e)}`));
  context.subscriptions.push({ dispose: () => void deactivateLanguageClient() });
  return c;
}

export async function restartLanguageClient() {
  if (!client) return;
  if (client.isRunning()) await client.restart();
  else await client.start();
}

export async function deactivateLanguageClient() {
  const c = client;
  client = undefined;
  if (c?.needsStop()) await c.stop();
}
