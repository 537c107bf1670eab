// What the client and the server of Framework Porter agree on beyond plain LSP: command ids, the fix-all code
// action kind, the configuration section and the shape of Diagnostic.data. No custom LSP messages are needed yet;
// when one is, add it here as a namespace with `method` and `type` (as vscode-eslint does).

/** The configuration section both sides read (`frameworkPorter.target`, …). */
export const CONFIG_SECTION = 'frameworkPorter';

/** Diagnostic.source of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'Framework Porter';

/** Diagnostic.code of a `# TODO(port): …` comment left for a person. */
export const TODO_CODE = 'port-todo';

/** `source.fixAll.frameworkPorter`: every fixable finding of a file (also answered for `source.fixAll`). */
export const FIX_ALL_KIND = 'source.fixAll.frameworkPorter';

export const Commands = {
  /** Client and server: fix every fixable finding of a file. Arguments: [uri?, version?] (the client fills in the active editor). */
  fixAllInFile: 'frameworkPorter.fixAllInFile',
  /** Client only: reveal the output channel. */
  showOutput: 'frameworkPorter.showOutput',
  /** Client only: stop and start the language server. */
  restartServer: 'frameworkPorter.restartServer',
} as const;

/** The commands the server executes (workspace/executeCommand). */
export const SERVER_COMMANDS: readonly string[] = [Commands.fixAllInFile];

/** What each finding's Diagnostic.data holds: enough to find the finding again in the same document version. */
export interface DiagnosticData {
  rule: string;
  version: number;
}

/** What an unresolved code action's data holds (resolved by codeAction/resolve). */
export interface CodeActionData {
  uri: string;
  version: number;
  kind: 'fixAllRule' | 'fixAll';
  rule?: string;
}
