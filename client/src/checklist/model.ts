// The porting checklist as plain data: checklist snapshots (+ rule info) → tree nodes, status text, empty reason.
// Pure: no `vscode` import, no I/O, deterministic ordering; provider.ts turns the nodes into TreeItems.
import type { ChecklistSnapshot, Occurrence, OccurrenceState, RuleInfoItem, TodoItem } from '../../../protocol';

export type GroupBy = 'category' | 'file';
export type NodeKind = 'folder' | 'category' | 'rule' | 'file' | 'occurrence' | 'todos' | 'todo';

export interface NodeRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface Counts {
  /** every occurrence under the node, whatever its state */
  total: number;
  open: number;
  ported: number;
  wontPort: number;
  regressions: number;
  /** open + regressions */
  left: number;
  /** effortMinutes summed over what is left */
  effortLeftMinutes: number;
}

export interface ChecklistNode {
  /** unique and stable across rebuilds (keeps expansion and selection) */
  id: string;
  kind: NodeKind;
  label: string;
  description: string;
  /** Markdown */
  tooltip: string;
  /** a codicon id */
  icon: string;
  /** a theme color id for the icon, if any */
  iconColor?: string;
  /** what view/item/context menus key on (`viewItem`) */
  contextValue: string;
  children: ChecklistNode[];
  folderUri: string;
  /** occurrence, todo and file nodes: the document */
  uri?: string;
  /** occurrence and todo nodes: what clicking reveals */
  range?: NodeRange;
  rule?: string;
  /** occurrence nodes: the occurrence's id (what FixOccurrenceRequest takes) */
  occurrenceId?: string;
  state?: OccurrenceState;
  counts?: Counts;
  /** ids of the open/regression occurrences under the node (won't port), and of the won't-port ones (reopen) */
  openIds: string[];
  wontPortIds: string[];
}

export type RulesInfo = Record<string, Pick<RuleInfoItem, 'title' | 'effortMinutes'> & Partial<RuleInfoItem>>;

export interface BuildOptions {
  groupBy: GroupBy;
  /** only occurrences in these states are listed (counts always cover every state); default: all */
  showStates?: OccurrenceState[];
  /** only folders porting to this target */
  targetFilter?: string;
  /** per rule: title, effort, before → after per target, docs */
  rules?: RulesInfo;
}

export const CATEGORY_ORDER = [
  'app-setup', 'routing', 'request', 'response', 'templates', 'errors', 'auth', 'session', 'config', 'middleware',
  'models', 'queries', 'transactions', 'migrations', 'testing',
] as const;

export const CATEGORY_ICONS: Record<string, string> = {
  'app-setup': 'rocket',
  routing: 'link',
  request: 'call-incoming',
  response: 'call-outgoing',
  templates: 'file-code',
  errors: 'bug',
  auth: 'shield',
  session: 'key',
  config: 'settings-gear',
  middleware: 'layers',
  models: 'database',
  queries: 'search',
  transactions: 'git-commit',
  migrations: 'versions',
  testing: 'beaker',
};
export const DEFAULT_CATEGORY_ICON = 'symbol-misc';

export const STATE_ICONS: Record<OccurrenceState, { icon: string; color?: string }> = {
  open: { icon: 'circle-large-outline' },
  ported: { icon: 'pass', color: 'testing.iconPassed' },
  wontPort: { icon: 'circle-slash', color: 'disabledForeground' },
  regression: { icon: 'warning', color: 'problemsWarningIcon.foreground' },
};

export const STATE_LABELS: Record<OccurrenceState, string> = {
  open: 'open',
  ported: 'ported',
  wontPort: "won't port",
  regression: 'new since the baseline',
};

export const TODOS_LABEL = 'Left for a person';

const TARGET_NAMES: Record<string, string> = {
  django: 'Django',
  fastapi: 'FastAPI',
  flask: 'Flask',
  'django-orm': 'the Django ORM',
  sqlalchemy2: 'SQLAlchemy 2.0',
};

export function targetName(target: string): string {
  return TARGET_NAMES[target] ?? target;
}

/** "0 min", "45 min", "2 h", "2 h 15 min" */
export function formatEffort(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

export function countOccurrences(occurrences: readonly Occurrence[]): Counts {
  const c: Counts = { total: 0, open: 0, ported: 0, wontPort: 0, regressions: 0, left: 0, effortLeftMinutes: 0 };
  for (const o of occurrences) {
    c.total++;
    if (o.state === 'open') c.open++;
    else if (o.state === 'ported') c.ported++;
    else if (o.state === 'wontPort') c.wontPort++;
    else if (o.state === 'regression') c.regressions++;
    if (o.state === 'open' || o.state === 'regression') c.effortLeftMinutes += o.effortMinutes || 0;
  }
  c.left = c.open + c.regressions;
  return c;
}

/** Ported and won't-port count as done. */
export function percentDone(c: Counts): number {
  return c.total ? Math.floor(((c.ported + c.wontPort) * 100) / c.total) : 100;
}

/** "12 of 40 ported · 2 new · 2 h 15 min left" with a baseline; "42 left · 3 h 30 min" before one. */
export function progressText(c: Counts, hasBaseline: boolean): string {
  const parts: string[] = [];
  if (hasBaseline) {
    parts.push(`${c.ported} of ${c.total} ported`);
    if (c.wontPort) parts.push(`${c.wontPort} won't port`);
    if (c.regressions) parts.push(`${c.regressions} new`);
    parts.push(c.left ? `${formatEffort(c.effortLeftMinutes)} left` : 'done');
  } else {
    parts.push(`${c.left} left`);
    if (c.left) parts.push(formatEffort(c.effortLeftMinutes));
  }
  return parts.join(' · ');
}

function countsTooltip(title: string, c: Counts, hasBaseline: boolean): string {
  const lines = [`**${md(title)}**`, '', progressText(c, hasBaseline)];
  const bits = [`${c.open} open`, `${c.ported} ported`, `${c.wontPort} won't port`];
  if (c.regressions) bits.push(`${c.regressions} new since the baseline`);
  lines.push('', bits.join(' · '));
  if (hasBaseline) lines.push('', `${percentDone(c)} % done`);
  lines.push('', `Effort left: ${formatEffort(c.effortLeftMinutes)}`);
  return lines.join('\n');
}

function md(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

function fence(code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}python\n${code.replace(/\s+$/, '')}\n${f}`;
}

const ORM_TARGETS = new Set(['django-orm', 'sqlalchemy2']);

/** The example for the folder's target: the web target, or the ORM target for ORM rules. */
export function pickExample(info: Partial<RuleInfoItem> | undefined, target: string, ormTarget: string) {
  const examples = info?.examples ?? [];
  if (!examples.length) return undefined;
  const orm = ormTarget && ormTarget !== 'auto' && ormTarget !== 'keep' ? ormTarget : target === 'django' ? 'django-orm' : 'sqlalchemy2';
  return examples.find((e) => e.target === target) ?? examples.find((e) => e.target === orm) ?? (examples.some((e) => ORM_TARGETS.has(e.target)) ? undefined : examples[0]);
}

function ruleTooltip(rule: string, title: string, occs: readonly Occurrence[], c: Counts, snap: ChecklistSnapshot, info?: RulesInfo[string]): string {
  const first = occs[0];
  const effortEach = info?.effortMinutes ?? first?.effortMinutes ?? 0;
  const lines = [`**${md(title)}** \`${rule}\``, ''];
  const from = info?.from ?? first?.from;
  const category = info?.category ?? first?.category;
  lines.push([category && `Category: ${category}`, from && `from ${from}`, `effort ${formatEffort(effortEach)} each`].filter(Boolean).join(' · '));
  if (info?.summary) lines.push('', md(info.summary));
  lines.push('', progressText(c, snap.hasBaseline));
  const fixable = info?.fixable ?? first?.fixable;
  if (fixable !== undefined) lines.push('', fixable ? ((info?.safe ?? first?.safe) ? 'Fix: automatic (safe)' : 'Fix: automatic (review it: unsafe)') : 'Fix: by hand');
  const ex = pickExample(info, snap.target, snap.ormTarget);
  if (ex) lines.push('', 'Before:', '', fence(ex.before), '', `After (${targetName(ex.target)}):`, '', fence(ex.after));
  if (info?.docsUri) lines.push('', `[Documentation](${info.docsUri})`);
  return lines.join('\n');
}

function occurrenceTooltip(o: Occurrence, snap: ChecklistSnapshot, info?: RulesInfo[string]): string {
  const lines = [`**${md(o.title)}** \`${o.rule}\``, '', md(o.message), ''];
  lines.push(`State: ${STATE_LABELS[o.state] ?? o.state}${o.state === 'wontPort' && o.reason ? ` — ${md(o.reason)}` : ''}`);
  lines.push('', `${md(o.file)}:${o.range.start.line + 1}${o.scope ? ` in \`${o.scope}\`` : ''}`);
  lines.push('', `Effort: ${formatEffort(o.effortMinutes)} · ${o.fixable ? (o.safe ? 'automatic fix (safe)' : 'automatic fix (unsafe: review it)') : 'fix by hand'}`);
  const ex = pickExample(info, snap.target, snap.ormTarget);
  if (ex) lines.push('', 'Before:', '', fence(ex.before), '', `After (${targetName(ex.target)}):`, '', fence(ex.after));
  if (info?.docsUri) lines.push('', `[Documentation](${info.docsUri})`);
  return lines.join('\n');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function categoryRank(c: string): number {
  const i = (CATEGORY_ORDER as readonly string[]).indexOf(c);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

function byLine(a: Occurrence, b: Occurrence): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || cmp(a.rule, b.rule) || cmp(a.id, b.id);
}

function groupMap<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(t);
  }
  return m;
}

/** ids in file, line order (whatever order the server sent) */
function ids(list: readonly Occurrence[]) {
  const occs = [...list].sort((a, b) => cmp(a.file, b.file) || byLine(a, b));
  return {
    openIds: occs.filter((o) => o.state === 'open' || o.state === 'regression').map((o) => o.id),
    wontPortIds: occs.filter((o) => o.state === 'wontPort').map((o) => o.id),
  };
}

/** 'rule', 'rule.open', 'rule.open.fixable', each + '.wontPort' when some occurrence is marked won't port */
function ruleContext(occs: readonly Occurrence[]): string {
  const open = occs.filter((o) => o.state === 'open' || o.state === 'regression');
  let v = 'rule';
  if (open.length) v += '.open';
  if (open.some((o) => o.fixable)) v += '.fixable';
  if (occs.some((o) => o.state === 'wontPort')) v += '.wontPort';
  return v;
}

/** 'occurrence.open.fixable', 'occurrence.open', 'occurrence.regression.fixable', 'occurrence.ported', 'occurrence.wontPort' */
export function occurrenceContext(o: Occurrence): string {
  const fixable = o.fixable && (o.state === 'open' || o.state === 'regression');
  return `occurrence.${o.state}${fixable ? '.fixable' : ''}`;
}

interface Ctx {
  snap: ChecklistSnapshot;
  opts: BuildOptions;
  shown: (o: Occurrence) => boolean;
}

function occurrenceNode(parentId: string, o: Occurrence, ctx: Ctx, labelStyle: 'scope' | 'rule'): ChecklistNode {
  const line = o.range.start.line + 1;
  const st = STATE_ICONS[o.state] ?? STATE_ICONS.open;
  const desc: string[] = [];
  if (labelStyle === 'rule') desc.push(`line ${line}`);
  else if (o.scope) desc.push(o.scope);
  if (o.state === 'wontPort') desc.push(o.reason ? `won't port: ${o.reason}` : "won't port");
  else if (o.state === 'ported') desc.push('ported');
  else if (o.state === 'regression') desc.push('new since the baseline');
  return {
    id: `${parentId}/occ:${o.id}`,
    kind: 'occurrence',
    label: labelStyle === 'rule' ? o.title : `Line ${line}`,
    description: desc.join(' · '),
    tooltip: occurrenceTooltip(o, ctx.snap, ctx.opts.rules?.[o.rule]),
    icon: st.icon,
    ...(st.color ? { iconColor: st.color } : {}),
    contextValue: occurrenceContext(o),
    children: [],
    folderUri: ctx.snap.folderUri,
    uri: o.uri,
    range: o.range,
    rule: o.rule,
    occurrenceId: o.id,
    state: o.state,
    ...ids([o]),
  };
}

function fileNode(parentId: string, file: string, occs: Occurrence[], ctx: Ctx, labelStyle: 'scope' | 'rule'): ChecklistNode | undefined {
  const shown = occs.filter(ctx.shown).sort(byLine);
  if (!shown.length) return undefined;
  const c = countOccurrences(occs);
  const id = `${parentId}/file:${file}`;
  return {
    id,
    kind: 'file',
    label: file,
    description: progressText(c, ctx.snap.hasBaseline),
    tooltip: countsTooltip(file, c, ctx.snap.hasBaseline),
    icon: 'file',
    contextValue: 'file',
    children: shown.map((o) => occurrenceNode(id, o, ctx, labelStyle)),
    folderUri: ctx.snap.folderUri,
    uri: occs[0]!.uri,
    counts: c,
    ...ids(occs),
  };
}

function fileNodes(parentId: string, occs: readonly Occurrence[], ctx: Ctx, labelStyle: 'scope' | 'rule'): ChecklistNode[] {
  const byFile = groupMap(occs, (o) => o.file);
  return [...byFile.keys()].sort(cmp).flatMap((f) => fileNode(parentId, f, byFile.get(f)!, ctx, labelStyle) ?? []);
}

function ruleNodes(parentId: string, occs: readonly Occurrence[], ctx: Ctx): ChecklistNode[] {
  const byRule = groupMap(occs, (o) => o.rule);
  const rules = [...byRule.entries()].map(([rule, list]) => ({ rule, list, c: countOccurrences(list) }));
  rules.sort((a, b) => b.c.left - a.c.left || cmp(a.rule, b.rule));
  const out: ChecklistNode[] = [];
  for (const { rule, list, c } of rules) {
    const id = `${parentId}/rule:${rule}`;
    const children = fileNodes(id, list, ctx, 'scope');
    if (!children.length) continue;
    const info = ctx.opts.rules?.[rule];
    const title = info?.title ?? list[0]!.title;
    out.push({
      id,
      kind: 'rule',
      label: title,
      description: `${rule} · ${progressText(c, ctx.snap.hasBaseline)}`,
      tooltip: ruleTooltip(rule, title, list, c, ctx.snap, info),
      icon: c.regressions ? STATE_ICONS.regression.icon : c.left ? 'law' : 'pass',
      ...(c.regressions ? { iconColor: STATE_ICONS.regression.color! } : !c.left ? { iconColor: STATE_ICONS.ported.color! } : {}),
      contextValue: ruleContext(list),
      children,
      folderUri: ctx.snap.folderUri,
      rule,
      counts: c,
      ...ids(list),
    });
  }
  return out;
}

function categoryNodes(parentId: string, occs: readonly Occurrence[], ctx: Ctx): ChecklistNode[] {
  const byCat = groupMap(occs, (o) => o.category);
  const cats = [...byCat.keys()].sort((a, b) => categoryRank(a) - categoryRank(b) || cmp(a, b));
  const out: ChecklistNode[] = [];
  for (const cat of cats) {
    const list = byCat.get(cat)!;
    const id = `${parentId}/cat:${cat}`;
    const children = ruleNodes(id, list, ctx);
    if (!children.length) continue;
    const c = countOccurrences(list);
    out.push({
      id,
      kind: 'category',
      label: cat,
      description: progressText(c, ctx.snap.hasBaseline),
      tooltip: countsTooltip(cat, c, ctx.snap.hasBaseline),
      icon: CATEGORY_ICONS[cat] ?? DEFAULT_CATEGORY_ICON,
      contextValue: 'category',
      children,
      folderUri: ctx.snap.folderUri,
      counts: c,
      ...ids(list),
    });
  }
  return out;
}

function todoNodes(parentId: string, todos: readonly TodoItem[], snap: ChecklistSnapshot): ChecklistNode | undefined {
  if (!todos.length) return undefined;
  const id = `${parentId}/todos`;
  const sorted = [...todos].sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.text, b.text));
  const seen = new Map<string, number>();
  const children = sorted.map((t): ChecklistNode => {
    const key = `${t.file}:${t.line}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return {
      id: `${id}/todo:${key}${n > 1 ? `#${n}` : ''}`,
      kind: 'todo',
      label: t.text,
      description: `${t.file}:${t.line + 1}${t.rule ? ` · ${t.rule}` : ''}`,
      tooltip: [`**TODO(port)**`, '', md(t.text), '', `${md(t.file)}:${t.line + 1}`, ...(t.rule ? ['', `Rule: \`${t.rule}\``] : [])].join('\n'),
      icon: 'comment',
      contextValue: 'todo',
      children: [],
      folderUri: snap.folderUri,
      uri: t.uri,
      range: { start: { line: t.line, character: 0 }, end: { line: t.line, character: 0 } },
      ...(t.rule ? { rule: t.rule } : {}),
      openIds: [],
      wontPortIds: [],
    };
  });
  return {
    id,
    kind: 'todos',
    label: TODOS_LABEL,
    description: `${todos.length} TODO(port) comment${todos.length === 1 ? '' : 's'}`,
    tooltip: `**${TODOS_LABEL}**\n\n${todos.length} \`# TODO(port): …\` comment${todos.length === 1 ? '' : 's'} where a fix left a decision to a person.`,
    icon: 'person',
    contextValue: 'todos',
    children,
    folderUri: snap.folderUri,
    openIds: [],
    wontPortIds: [],
  };
}

function folderChildren(snap: ChecklistSnapshot, opts: BuildOptions, parentId: string): ChecklistNode[] {
  const states = opts.showStates ? new Set(opts.showStates) : undefined;
  const ctx: Ctx = { snap, opts, shown: (o) => !states || states.has(o.state) };
  const nodes = opts.groupBy === 'file' ? fileNodes(parentId, snap.occurrences, ctx, 'rule') : categoryNodes(parentId, snap.occurrences, ctx);
  const todos = todoNodes(parentId, snap.todos ?? [], snap);
  if (todos) nodes.push(todos);
  return nodes;
}

/** The tree: a folder level only when there is more than one folder. */
export function buildTree(snapshots: readonly ChecklistSnapshot[], opts: BuildOptions): ChecklistNode[] {
  const snaps = snapshots.filter((s) => !opts.targetFilter || s.target === opts.targetFilter);
  if (snaps.length === 1) {
    const s = snaps[0]!;
    return folderChildren(s, opts, s.folderUri);
  }
  return snaps.map((s): ChecklistNode => {
    const c = countOccurrences(s.occurrences);
    const id = s.folderUri;
    return {
      id: `${id}/folder`,
      kind: 'folder',
      label: s.folderName,
      description: `${targetName(s.target)} · ${progressText(c, s.hasBaseline)}`,
      tooltip: countsTooltip(`${s.folderName}: porting to ${targetName(s.target)}`, c, s.hasBaseline) + (s.hasBaseline ? '' : '\n\nNo baseline yet: run *Start Porting* to measure progress.'),
      icon: 'root-folder',
      contextValue: s.hasBaseline ? 'folder' : 'folder.noBaseline',
      children: folderChildren(s, opts, `${id}/folder`),
      folderUri: s.folderUri,
      counts: c,
      ...ids(s.occurrences),
    };
  });
}

/** Walks the tree depth-first. */
export function* walk(nodes: readonly ChecklistNode[]): Generator<ChecklistNode> {
  for (const n of nodes) {
    yield n;
    yield* walk(n.children);
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Status text and the empty state
// ------------------------------------------------------------------------------------------------------------------

export interface Summary {
  targets: string[];
  hasBaseline: boolean;
  scanning: boolean;
  percent: number;
  left: number;
  ported: number;
  wontPort: number;
  regressions: number;
  baseline: number;
  effortLeftMinutes: number;
}

/** Over every folder; the percent is the server's per folder, weighted by baseline size when there are several. */
export function summarize(snapshots: readonly ChecklistSnapshot[]): Summary | undefined {
  if (!snapshots.length) return undefined;
  const targets = [...new Set(snapshots.map((s) => s.target))];
  const withBaseline = snapshots.filter((s) => s.hasBaseline);
  let percent = 0;
  if (withBaseline.length === 1) percent = withBaseline[0]!.overall.percent;
  else if (withBaseline.length > 1) {
    const weight = withBaseline.reduce((n, s) => n + Math.max(0, s.overall.baseline), 0);
    percent = weight
      ? withBaseline.reduce((n, s) => n + s.overall.percent * Math.max(0, s.overall.baseline), 0) / weight
      : withBaseline.reduce((n, s) => n + s.overall.percent, 0) / withBaseline.length;
  }
  const sum = (f: (s: ChecklistSnapshot) => number) => snapshots.reduce((n, s) => n + (f(s) || 0), 0);
  return {
    targets,
    hasBaseline: withBaseline.length === snapshots.length,
    scanning: snapshots.some((s) => s.scanning),
    percent: Math.floor(percent),
    left: sum((s) => s.overall.open + s.overall.regressions),
    ported: sum((s) => s.overall.ported),
    wontPort: sum((s) => s.overall.wontPort),
    regressions: sum((s) => s.overall.regressions),
    baseline: sum((s) => s.overall.baseline),
    effortLeftMinutes: sum((s) => s.overall.effortLeftMinutes),
  };
}

/** "Porting to Django · 31 %", or "Porting to Django · 42 left" before every folder has a baseline; '' without folders. */
export function statusText(snapshots: readonly ChecklistSnapshot[]): string {
  const s = summarize(snapshots);
  if (!s) return '';
  const to = `Porting to ${s.targets.map(targetName).join(', ')}`;
  return s.hasBaseline ? `${to} · ${s.percent} %` : `${to} · ${s.left} left`;
}

/** The status item's detail: counts and effort. */
export function statusDetail(snapshots: readonly ChecklistSnapshot[]): string {
  const s = summarize(snapshots);
  if (!s) return '';
  const parts = s.hasBaseline ? [`${s.ported} of ${s.baseline} ported`] : [`${s.left} left`, 'no baseline yet'];
  if (s.hasBaseline && s.left) parts.push(`${s.left} left`);
  if (s.wontPort) parts.push(`${s.wontPort} won't port`);
  if (s.regressions) parts.push(`${s.regressions} new`);
  parts.push(`${formatEffort(s.effortLeftMinutes)} of work left`);
  if (s.scanning) parts.push('scanning…');
  return parts.join(' · ');
}

/**
 * Why the tree is empty (drives the welcome view), or undefined when it is not:
 * 'noFolder' no folder / no answer yet; 'scanning' the first scan runs; 'noPython' nothing to scan;
 * 'noBaseline' nothing found and no baseline; 'allPorted' a baseline and nothing left to list.
 */
export type EmptyReason = 'noFolder' | 'scanning' | 'noPython' | 'noBaseline' | 'allPorted';

export function emptyReason(snapshots: readonly ChecklistSnapshot[], tree: readonly ChecklistNode[]): EmptyReason | undefined {
  if (tree.length) return undefined;
  if (!snapshots.length) return 'noFolder';
  if (snapshots.some((s) => s.scanning)) return 'scanning';
  if (snapshots.every((s) => s.filesScanned === 0)) return 'noPython';
  if (snapshots.some((s) => !s.hasBaseline)) return 'noBaseline';
  return 'allPorted';
}
