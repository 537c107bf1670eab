// Porting progress: (baseline ids, current occurrences, won't-port decisions) → each occurrence's state and the
// counts per category and overall. Pure.
//
//   state:   wontPort    the id has a won't-port decision (whether or not it is still in the code)
//            open        in the baseline and still in the code (every current occurrence when there is no baseline)
//            ported      in the baseline, no longer in the code
//            regression  in the code, not in the baseline (added after "Start porting")
//   percent  = ported / (baseline − wontPort among the baseline), floored to a whole percent
//              (100 when every baseline occurrence is ported or won't be; 0 without a baseline)
//   effort left = Σ effortMinutes of the open and regression occurrences
//
// A baseline id whose file was renamed is matched to the new file's occurrence (occurrence.ts, matchRenames).
import type { CategoryProgress, ChecklistSnapshot, Occurrence, OccurrenceState, TodoItem } from '../../../protocol';
import { matchRenames, parseId } from './occurrence';

export interface RuleMeta {
  title: string;
  category: string;
  from: string;
  effortMinutes: number;
}

/** An occurrence in the code now (or, for ported ones, as last seen). */
export interface LiveOccurrence {
  id: string;
  rule: string;
  file: string;
  uri: string;
  range: Occurrence['range'];
  message: string;
  fixable: boolean;
  safe: boolean;
  scope: string;
}

export interface ProgressInput {
  /** undefined: no baseline recorded */
  baseline?: readonly string[];
  current: readonly LiveOccurrence[];
  wontPort: Readonly<Record<string, string>>;
  rule(id: string): RuleMeta | undefined;
  /** where a ported occurrence was when last seen */
  lastSeen?(id: string): LiveOccurrence | undefined;
  /** file (relative) → uri, for occurrences never seen */
  uriOf(file: string): string;
  /** the files the scan saw (for rename matching); default: the files of the current occurrences */
  currentFiles?: ReadonlySet<string>;
}

export interface Overall {
  baseline: number;
  ported: number;
  open: number;
  wontPort: number;
  regressions: number;
  percent: number;
  effortLeftMinutes: number;
}

export interface ProgressResult {
  occurrences: Occurrence[];
  categories: CategoryProgress[];
  overall: Overall;
  /** baseline/won't-port id → the id it now has (renamed files) */
  renames: Map<string, string>;
}

const UNKNOWN: RuleMeta = { title: '', category: 'other', from: '', effortMinutes: 0 };

/**
 * ported / (baseline − wontPort among the baseline). Every baseline id is open, ported or won't-port (current
 * occurrences outside the baseline are regressions, never open), so the denominator is ported + open: the
 * formula needs only a CategoryProgress.
 */
export function percentOf(c: Pick<CategoryProgress, 'ported' | 'open'>, hasBaseline: boolean): number {
  if (!hasBaseline) return 0;
  const denom = c.ported + c.open;
  if (denom <= 0) return 100;
  return Math.floor((100 * c.ported) / denom);
}

export function computeProgress(input: ProgressInput): ProgressResult {
  const hasBaseline = !!input.baseline && input.baseline.length > 0;
  const currentFiles = input.currentFiles ?? new Set(input.current.map((o) => o.file));
  const renames = hasBaseline ? matchRenames(input.baseline!, input.current.map((o) => o.id), currentFiles) : new Map<string, string>();
  const rn = (id: string) => renames.get(id) ?? id;
  const baseline = new Set((input.baseline ?? []).map(rn));
  const wontPort = new Map<string, string>();
  for (const [id, reason] of Object.entries(input.wontPort)) wontPort.set(rn(id), reason);
  const current = new Map(input.current.map((o) => [o.id, o]));

  const out: Occurrence[] = [];
  const make = (o: LiveOccurrence, state: OccurrenceState): Occurrence => {
    const meta = input.rule(o.rule) ?? { ...UNKNOWN, title: o.rule };
    const occ: Occurrence = {
      id: o.id,
      rule: o.rule,
      title: meta.title,
      category: meta.category,
      from: meta.from,
      file: o.file,
      uri: o.uri,
      range: o.range,
      message: o.message,
      state,
      effortMinutes: meta.effortMinutes,
      fixable: o.fixable,
      safe: o.safe,
      scope: o.scope,
    };
    if (state === 'wontPort') occ.reason = wontPort.get(o.id);
    return occ;
  };
  const ghost = (id: string): LiveOccurrence => {
    const seen = input.lastSeen?.(id);
    if (seen) return { ...seen, id };
    const k = parseId(id);
    const file = k?.file ?? '';
    return {
      id,
      rule: k?.rule ?? id,
      file,
      uri: input.uriOf(file),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: '',
      fixable: false,
      safe: false,
      scope: k?.scope ?? '',
    };
  };
  for (const o of current.values()) {
    const state: OccurrenceState = wontPort.has(o.id) ? 'wontPort' : !hasBaseline || baseline.has(o.id) ? 'open' : 'regression';
    out.push(make(o, state));
  }
  for (const id of baseline) if (!current.has(id)) out.push(make(ghost(id), wontPort.has(id) ? 'wontPort' : 'ported'));
  for (const id of wontPort.keys()) if (!current.has(id) && !baseline.has(id)) out.push(make(ghost(id), 'wontPort'));
  out.sort(compareOccurrences);

  const cats = new Map<string, CategoryProgress>();
  const total = { baseline: 0, ported: 0, open: 0, wontPort: 0, regressions: 0, effortLeftMinutes: 0 };
  for (const o of out) {
    let c = cats.get(o.category);
    if (!c) cats.set(o.category, (c = { category: o.category, baseline: 0, ported: 0, open: 0, wontPort: 0, regressions: 0, effortLeftMinutes: 0 }));
    for (const t of [c, total]) {
      if (baseline.has(o.id)) t.baseline++;
      if (o.state === 'ported') t.ported++;
      else if (o.state === 'open') t.open++;
      else if (o.state === 'regression') t.regressions++;
      else t.wontPort++;
      if (o.state === 'open' || o.state === 'regression') t.effortLeftMinutes += o.effortMinutes;
    }
  }
  const categories = [...cats.values()].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
  const overall: Overall = { ...total, percent: percentOf(total, hasBaseline) };
  return { occurrences: out, categories, overall, renames };
}

export function compareOccurrences(a: Occurrence, b: Occurrence): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface SnapshotInput {
  folderUri: string;
  folderName: string;
  target: string;
  ormTarget: string;
  hasBaseline: boolean;
  scanning: boolean;
  filesScanned: number;
  todos: TodoItem[];
  progress: ProgressResult;
}

export function buildSnapshot(s: SnapshotInput): ChecklistSnapshot {
  const todos = [...s.todos].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    folderUri: s.folderUri,
    folderName: s.folderName,
    target: s.target,
    ormTarget: s.ormTarget,
    hasBaseline: s.hasBaseline,
    scanning: s.scanning,
    filesScanned: s.filesScanned,
    occurrences: s.progress.occurrences,
    todos,
    categories: s.progress.categories,
    overall: s.progress.overall,
  };
}
