// `framework-porter scan`: every file of the project analyzed with the project's ModuleIndex, findings as plain data.
import type { PythonGrammar } from '../parsing/python';
import { analyzeFile } from '../workspace/project';
import type { LoadedRule } from '../analysis/rule';
import { effectiveOrm, type Category, type FixTarget, type Settings, type Severity, type Source } from '../analysis/types';
import type { Skipped } from '../workspace/files';
import { oneLine, type CliProject } from './project';

export interface CliFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  from: Source;
  category: Category;
  message: string;
  fixable: boolean;
  safe: boolean;
  /** not part of the JSON contract's finding object */
  severity: Severity;
  target: FixTarget;
}

export interface ScanResult {
  root: string;
  baseDir: string;
  settings: Settings;
  files: number;
  findings: CliFinding[];
  skipped: Skipped[];
  /** files whose analysis crashed */
  errors: { file: string; error: string }[];
  /** TODO(port) comments found in the analyzed files */
  todos: number;
}

const TODO = /#[ \t]*TODO\(port\):/g;
export function countTodos(text: string): number {
  return text.match(TODO)?.length ?? 0;
}

export function ruleFilter(ids: readonly string[] | undefined): ((r: LoadedRule) => boolean) | undefined {
  if (!ids?.length) return undefined;
  const set = new Set(ids);
  return (r) => set.has(r.id);
}

export function scanProject(
  grammar: PythonGrammar,
  project: CliProject,
  settings: Settings,
  rules: readonly LoadedRule[],
  only: ((r: LoadedRule) => boolean) | undefined,
  onError: (file: string, error: string) => void,
): ScanResult {
  const findings: CliFinding[] = [];
  const errors: ScanResult['errors'] = [];
  let analyzed = 0;
  let todos = 0;
  const selected = only ? rules.filter(only) : rules;
  for (const f of project.files) {
    let a;
    try {
      a = analyzeFile(grammar, f, settings, project.index, selected);
    } catch (e) {
      errors.push({ file: f.rel, error: oneLine(e) });
      onError(f.rel, oneLine(e));
      continue;
    }
    try {
      analyzed++;
      todos += countTodos(f.text);
      for (const x of a.findings) {
        findings.push({
          file: f.rel,
          line: x.range.start.line + 1,
          column: x.range.start.character + 1,
          endLine: x.range.end.line + 1,
          endColumn: x.range.end.character + 1,
          rule: x.rule,
          from: x.from,
          category: x.category,
          message: x.message,
          fixable: x.fixable,
          safe: x.safe,
          severity: x.severity,
          target: x.target,
        });
      }
    } finally {
      a.dispose();
    }
  }
  findings.sort(compareFindings);
  return { root: project.root, baseDir: project.baseDir, settings, files: analyzed, findings, skipped: project.skipped, errors, todos };
}

export function compareFindings(a: CliFinding, b: CliFinding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The JSON contract (version 1). Keys of each finding are exactly these; extra top-level keys may be added. */
export function toJson(r: ScanResult) {
  return {
    version: 1 as const,
    root: r.root,
    target: r.settings.target,
    files: r.files,
    findings: r.findings.map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      rule: f.rule,
      from: f.from,
      category: f.category,
      message: f.message,
      fixable: f.fixable,
      safe: f.safe,
    })),
    summary: {
      byCategory: countBy(r.findings, (f) => f.category),
      byFrom: countBy(r.findings, (f) => f.from),
    },
    ormTarget: effectiveOrm(r.settings),
    fixable: r.findings.filter((f) => f.fixable).length,
    todos: r.todos,
    skipped: r.skipped.length,
    skippedFiles: r.skipped.map((s) => ({ file: s.file, reason: s.reason })),
    failed: r.errors.length,
    failedFiles: r.errors,
  };
}

export function fixLabel(f: Pick<CliFinding, 'fixable' | 'safe'>): string {
  return !f.fixable ? 'no fix' : f.safe ? 'fixable' : 'unsafe fix';
}

export function toText(r: ScanResult): string {
  const lines = r.findings.map((f) => `${f.file}:${f.line}:${f.column}  ${f.rule}  ${f.message}  [${fixLabel(f)}]`);
  const fixable = r.findings.filter((f) => f.fixable && f.safe).length;
  const unsafe = r.findings.filter((f) => f.fixable && !f.safe).length;
  const nofix = r.findings.length - fixable - unsafe;
  const withFindings = new Set(r.findings.map((f) => f.file)).size;
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  let summary =
    `${n(r.findings.length, 'finding')} in ${n(withFindings, 'file')} (${n(r.files, 'file')} analyzed, target ${r.settings.target}, ORM ${effectiveOrm(r.settings)}): ` +
    `${fixable} fixable, ${unsafe} unsafe fix, ${nofix} no fix`;
  if (r.todos) summary += `; ${r.todos} TODO(port) left`;
  if (r.skipped.length) summary += `; ${n(r.skipped.length, 'file')} skipped`;
  if (r.errors.length) summary += `; ${n(r.errors.length, 'file')} failed`;
  lines.push(summary);
  return lines.join('\n') + '\n';
}
