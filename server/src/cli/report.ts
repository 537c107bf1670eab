// `framework-porter report PATH` and `framework-porter baseline PATH`: the project's checklist snapshot (the same
// occurrence ids, progress and state file as the language server) as a report, or recorded as the baseline.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChecklistSnapshot, TodoItem } from '../../../protocol';
import type { PythonGrammar } from '../parsing/python';
import type { LoadedRule } from '../analysis/rule';
import { effectiveOrm, type Settings } from '../analysis/types';
import { analyzeFile } from '../workspace/project';
import { occurrenceIds } from '../workspace/occurrence';
import { buildSnapshot, computeProgress, type LiveOccurrence } from '../workspace/progress';
import { readState, statePath, writeState, renameIds, emptyState } from '../workspace/state';
import { oneLine, UsageError, type CliProject } from './project';

export interface ProjectOccurrences {
  current: LiveOccurrence[];
  todos: TodoItem[];
  files: number;
  errors: { file: string; error: string }[];
}

export function projectOccurrences(grammar: PythonGrammar, project: CliProject, settings: Settings, rules: readonly LoadedRule[]): ProjectOccurrences {
  const current: LiveOccurrence[] = [];
  const todos: TodoItem[] = [];
  const errors: ProjectOccurrences['errors'] = [];
  let files = 0;
  for (const f of project.files) {
    let a;
    try {
      a = analyzeFile(grammar, f, settings, project.index, rules);
    } catch (e) {
      errors.push({ file: f.rel, error: oneLine(e) });
      continue;
    }
    try {
      files++;
      const uri = pathToFileURL(f.abs).href;
      const ids = occurrenceIds(f.rel, f.text, a.tree.rootNode, a.findings);
      a.findings.forEach((x, i) =>
        current.push({ id: ids[i], rule: x.rule, file: f.rel, uri, range: x.range, message: x.message, fixable: x.fixable, safe: x.safe, scope: ids[i].split('|').slice(-3)[0] }),
      );
      for (const m of a.markers) if (m.kind === 'todo') todos.push({ file: f.rel, uri, line: m.line, text: m.text.trim(), ...(m.rule ? { rule: m.rule } : {}) });
    } finally {
      a.dispose();
    }
  }
  return { current, todos, files, errors };
}

function requireDirectory(project: CliProject, command: string) {
  if (project.single) throw new UsageError(`${command} needs a directory (the workspace folder holding .framework-porter/state.json), not a single file`);
}

export interface ReportRun {
  snapshot: ChecklistSnapshot;
  /** one sentence when the state file was corrupt (and was set aside) */
  problem?: string;
  errors: ProjectOccurrences['errors'];
}

export function projectSnapshot(grammar: PythonGrammar, project: CliProject, settings: Settings, rules: readonly LoadedRule[]): ReportRun {
  requireDirectory(project, 'report');
  const occ = projectOccurrences(grammar, project, settings, rules);
  const st = readState(project.root);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const hasBaseline = !!st.state && st.state.baseline.length > 0;
  const progress = computeProgress({
    baseline: hasBaseline ? st.state!.baseline : undefined,
    current: occ.current,
    wontPort: st.state?.wontPort ?? {},
    rule: (id) => byId.get(id),
    uriOf: (file) => pathToFileURL(path.join(project.root, file)).href,
    currentFiles: new Set([...project.files.map((f) => f.rel), ...project.skipped.map((s) => s.file)]),
  });
  const snapshot = buildSnapshot({
    folderUri: pathToFileURL(project.root).href,
    folderName: path.basename(project.root),
    target: settings.target,
    ormTarget: effectiveOrm(settings),
    hasBaseline,
    scanning: false,
    filesScanned: occ.files,
    todos: occ.todos,
    progress,
  });
  return { snapshot, problem: st.problem, errors: occ.errors };
}

/** Records every current occurrence as the baseline (won't-port decisions kept). Returns the count and the file. */
export function recordBaseline(grammar: PythonGrammar, project: CliProject, settings: Settings, rules: readonly LoadedRule[]): { count: number; file: string; problem?: string } {
  requireDirectory(project, 'baseline');
  const occ = projectOccurrences(grammar, project, settings, rules);
  const st = readState(project.root);
  let cur = st.state ?? emptyState(settings.target);
  // won't-port decisions of renamed files follow them
  const byId = new Map(rules.map((r) => [r.id, r]));
  const prog = computeProgress({
    baseline: cur.baseline,
    current: occ.current,
    wontPort: cur.wontPort,
    rule: (id) => byId.get(id),
    uriOf: () => '',
    currentFiles: new Set(project.files.map((f) => f.rel)),
  });
  cur = renameIds(cur, prog.renames) ?? cur;
  const ids = [...new Set(occ.current.map((o) => o.id))];
  writeState(project.root, { ...cur, target: settings.target, baseline: ids }, st.state, st.raw);
  return { count: ids.length, file: statePath(project.root), problem: st.problem };
}
