// The checklist's view, command, context-key and setting ids (the same strings are in package.json).

export const CHECKLIST_VIEW = 'frameworkPorter.checklist';

export const ChecklistCommands = {
  refresh: 'frameworkPorter.checklist.refresh',
  groupByFile: 'frameworkPorter.checklist.groupByFile',
  groupByCategory: 'frameworkPorter.checklist.groupByCategory',
  filterTarget: 'frameworkPorter.checklist.filterTarget',
  exportReport: 'frameworkPorter.checklist.exportReport',
  startPorting: 'frameworkPorter.checklist.startPorting',
  applyFix: 'frameworkPorter.checklist.applyFix',
  fixRuleInWorkspace: 'frameworkPorter.checklist.fixRuleInWorkspace',
  wontPort: 'frameworkPorter.checklist.wontPort',
  reopen: 'frameworkPorter.checklist.reopen',
  reveal: 'frameworkPorter.checklist.reveal',
  /** shows the view (the status item's command) */
  open: 'frameworkPorter.openChecklist',
} as const;

export const ContextKeys = {
  /** 'category' | 'file' */
  groupBy: 'frameworkPorter.checklist.groupBy',
  /** EmptyReason | 'loading' | '' (not empty) */
  empty: 'frameworkPorter.checklist.empty',
  /** true when every folder has a baseline */
  hasBaseline: 'frameworkPorter.checklist.hasBaseline',
} as const;

/** `frameworkPorter.checklist.groupBy` (section frameworkPorter) */
export const GROUP_BY_SETTING = 'checklist.groupBy';
