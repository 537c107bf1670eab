// The thin TreeDataProvider over the pure model: it keeps the latest snapshots, rebuilds the nodes and maps them to
// TreeItems (codicons, state colours, collapsible states, the reveal command). Fetching lives in activate.ts.
import * as vscode from 'vscode';
import type { ChecklistSnapshot } from '../../../protocol';
import { buildTree, emptyReason, type ChecklistNode, type EmptyReason, type GroupBy, type RulesInfo } from './model';
import { ChecklistCommands } from './ids';

export class ChecklistProvider implements vscode.TreeDataProvider<ChecklistNode> {
  private readonly changed = new vscode.EventEmitter<ChecklistNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;

  private snapshots: ChecklistSnapshot[] = [];
  private rules: RulesInfo = {};
  private roots: ChecklistNode[] = [];
  private parents = new Map<string, ChecklistNode | undefined>();
  private loaded = false;

  constructor(private groupBy: GroupBy) {}

  /** Replaces the data and rebuilds the tree (one change event). */
  update(change: { snapshots?: ChecklistSnapshot[]; rules?: RulesInfo; groupBy?: GroupBy }) {
    if (change.snapshots) {
      this.snapshots = change.snapshots;
      this.loaded = true;
    }
    if (change.rules) this.rules = change.rules;
    if (change.groupBy) this.groupBy = change.groupBy;
    this.rebuild();
  }

  getSnapshots(): readonly ChecklistSnapshot[] {
    return this.snapshots;
  }

  getGroupBy(): GroupBy {
    return this.groupBy;
  }

  /** The current tree as plain model nodes (the test API returns these). */
  getRoots(): readonly ChecklistNode[] {
    return this.roots;
  }

  /** Why the tree is empty, or undefined; 'loading' until the first answer from the server. */
  emptyReason(): EmptyReason | 'loading' | undefined {
    if (!this.loaded) return 'loading';
    return emptyReason(this.snapshots, this.roots);
  }

  private rebuild() {
    this.roots = buildTree(this.snapshots, { groupBy: this.groupBy, rules: this.rules });
    this.parents.clear();
    const index = (nodes: readonly ChecklistNode[], parent: ChecklistNode | undefined) => {
      for (const n of nodes) {
        this.parents.set(n.id, parent);
        index(n.children, n);
      }
    };
    index(this.roots, undefined);
    this.changed.fire();
  }

  getChildren(element?: ChecklistNode): ChecklistNode[] {
    return element ? element.children : this.roots;
  }

  getParent(element: ChecklistNode): ChecklistNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(node: ChecklistNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, collapsibleState(node));
    item.id = node.id;
    item.description = node.description;
    const tooltip = new vscode.MarkdownString(node.tooltip);
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.contextValue = node.contextValue;
    if (node.kind === 'file' && node.uri) {
      item.resourceUri = vscode.Uri.parse(node.uri);
      item.iconPath = vscode.ThemeIcon.File;
    } else {
      item.iconPath = new vscode.ThemeIcon(node.icon, node.iconColor ? new vscode.ThemeColor(node.iconColor) : undefined);
    }
    if ((node.kind === 'occurrence' || node.kind === 'todo') && node.uri && node.range) {
      item.command = { command: ChecklistCommands.reveal, title: 'Go to Occurrence', arguments: [node] };
    }
    item.accessibilityInformation = { label: [node.label, node.description].filter(Boolean).join(', ') };
    return item;
  }

  dispose() {
    this.changed.dispose();
  }
}

function collapsibleState(node: ChecklistNode): vscode.TreeItemCollapsibleState {
  if (!node.children.length) return vscode.TreeItemCollapsibleState.None;
  if (node.kind === 'folder') return vscode.TreeItemCollapsibleState.Expanded;
  return vscode.TreeItemCollapsibleState.Collapsed;
}

/** Opens the node's document with its range selected. */
export async function revealNode(node: ChecklistNode | undefined) {
  if (!node?.uri) return;
  const options: vscode.TextDocumentShowOptions = { preview: true };
  if (node.range) {
    const { start, end } = node.range;
    options.selection = new vscode.Range(start.line, start.character, end.line, end.character);
  }
  await vscode.window.showTextDocument(vscode.Uri.parse(node.uri), options);
}
