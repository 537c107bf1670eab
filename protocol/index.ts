// What the client and the server of Framework Porter agree on beyond plain LSP: command ids, the fix-all code
// action kind, the configuration section, the shape of Diagnostic.data, and the custom LSP messages, each a namespace
// with its `method` and `type` (as vscode-eslint does).

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

// ---------------------------------------------------------------------------------------------------------------
// The porting checklist: the server scans the workspace and keeps the shared state file; the client shows it.
// ---------------------------------------------------------------------------------------------------------------

import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Range, WorkspaceEdit } from 'vscode-languageserver-protocol';

export type OccurrenceState = 'open' | 'ported' | 'wontPort' | 'regression';

/** One idiom occurrence, current or from the baseline, with what the team decided about it. */
export interface Occurrence {
  /** stable across edits above it: rule + file + enclosing def/class + normalized snippet (+ ordinal) */
  id: string;
  rule: string;
  title: string;
  category: string;
  from: string;
  /** path relative to the workspace folder, '/'-separated */
  file: string;
  uri: string;
  /** the current range; for ported occurrences, where it was when last seen */
  range: Range;
  message: string;
  state: OccurrenceState;
  /** why it won't be ported (state wontPort) */
  reason?: string;
  effortMinutes: number;
  fixable: boolean;
  safe: boolean;
  /** enclosing function/class, e.g. "create_app" or "User.save" ('' at module level) */
  scope: string;
}

/** A `# TODO(port): …` comment: work a fix left for a person. */
export interface TodoItem {
  file: string;
  uri: string;
  line: number;
  text: string;
  rule?: string;
}

export interface CategoryProgress {
  category: string;
  baseline: number;
  ported: number;
  open: number;
  wontPort: number;
  regressions: number;
  effortLeftMinutes: number;
}

export interface ChecklistSnapshot {
  folderUri: string;
  folderName: string;
  target: string;
  ormTarget: string;
  /** false until "Start porting" has recorded a baseline */
  hasBaseline: boolean;
  scanning: boolean;
  filesScanned: number;
  occurrences: Occurrence[];
  todos: TodoItem[];
  categories: CategoryProgress[];
  overall: { baseline: number; ported: number; open: number; wontPort: number; regressions: number; percent: number; effortLeftMinutes: number };
}

export namespace ChecklistRequest {
  export const method = 'frameworkPorter/checklist';
  export const type = new RequestType<{ folderUri?: string }, ChecklistSnapshot[], void>(method);
}

/** Server → client: the checklist of a folder changed (scan finished, file changed, state file changed). */
export namespace ChecklistChangedNotification {
  export const method = 'frameworkPorter/checklistChanged';
  export const type = new NotificationType<{ folderUri: string }>(method);
}

export namespace StartPortingRequest {
  export const method = 'frameworkPorter/startPorting';
  export const type = new RequestType<{ folderUri: string }, { baseline: number }, void>(method);
}

export namespace WontPortRequest {
  export const method = 'frameworkPorter/wontPort';
  export const type = new RequestType<{ folderUri: string; ids: string[]; reason: string }, void, void>(method);
}

export namespace ReopenRequest {
  export const method = 'frameworkPorter/reopen';
  export const type = new RequestType<{ folderUri: string; ids: string[] }, void, void>(method);
}

/** A WorkspaceEdit fixing every occurrence of a rule in the folder; its changes carry annotations that need confirmation (refactor preview). */
export namespace FixRuleInWorkspaceRequest {
  export const method = 'frameworkPorter/fixRuleInWorkspace';
  export const type = new RequestType<{ folderUri: string; rule: string }, WorkspaceEdit, void>(method);
}

/** A single occurrence's fix as a WorkspaceEdit (from the checklist's context menu). */
export namespace FixOccurrenceRequest {
  export const method = 'frameworkPorter/fixOccurrence';
  export const type = new RequestType<{ folderUri: string; id: string }, WorkspaceEdit | null, void>(method);
}

export namespace ReportRequest {
  export const method = 'frameworkPorter/report';
  export const type = new RequestType<{ folderUri: string; format: 'md' | 'html' | 'json' }, { content: string; fileName: string }, void>(method);
}

export namespace RescanRequest {
  export const method = 'frameworkPorter/rescan';
  export const type = new RequestType<{ folderUri?: string }, void, void>(method);
}

/** What the checklist shows about a rule (tooltips: before → after for the folder's target, effort, docs). */
export interface RuleInfoItem {
  id: string;
  title: string;
  category: string;
  from: string;
  effortMinutes: number;
  fixable: boolean;
  safe: boolean;
  /** one before → after per fix target ('django', 'fastapi', 'django-orm', 'sqlalchemy2', …) */
  examples: { target: string; before: string; after: string }[];
  /** a one-line summary from the rule's docs */
  summary?: string;
  /** where the rule's documentation lives (a URL or file URI), if anywhere */
  docsUri?: string;
}

/** Every rule the server knows (added for the checklist client; the client copes with a server that lacks it). */
export namespace RulesInfoRequest {
  export const method = 'frameworkPorter/rules';
  export const type = new RequestType<{ folderUri?: string }, RuleInfoItem[], void>(method);
}

/** The server's process id and version (what a client or a test needs to check it is alive, or restarted). */
export namespace ServerInfoRequest {
  export const method = 'frameworkPorter/serverInfo';
  export const type = new RequestType<void, { pid: number; version: string }, void>(method);
}
