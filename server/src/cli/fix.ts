// `framework-porter fix`: fix-all on every file of the project, written atomically or shown as a unified diff.
import { createTwoFilesPatch } from 'diff';
import type { PythonGrammar } from '../parsing/python';
import { fixAllText } from '../analysis/engine';
import type { LoadedRule } from '../analysis/rule';
import type { Finding, Settings } from '../analysis/types';
import { oneLine, type CliProject } from './project';
import { countTodos } from './scan';
import { realPathInside, writeFileAtomic } from './fsx';

export interface FixOptions {
  dryRun: boolean;
  safeOnly: boolean;
  only?: (r: LoadedRule) => boolean;
}

export interface Output {
  out(text: string): void;
  err(line: string): void;
}

export interface FixSummary {
  changedFiles: number;
  applied: number;
  todos: number;
  /** files that could not be written (or, in a dry run, would not be) */
  failed: number;
  /** files whose fix-all crashed */
  errors: number;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** A git-style unified diff of one file, a/ and b/ paths relative to the root. */
export function unifiedDiff(rel: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  });
  return `diff --git a/${rel} b/${rel}\n${patch}`;
}

export function fixProject(grammar: PythonGrammar, project: CliProject, settings: Settings, rules: readonly LoadedRule[], opts: FixOptions, io: Output): FixSummary {
  const sum: FixSummary = { changedFiles: 0, applied: 0, todos: 0, failed: 0, errors: 0 };
  const select = opts.safeOnly ? (f: Finding) => f.safe : undefined;
  for (const f of project.files) {
    let result: { text: string; applied: number };
    try {
      result = fixAllText(grammar, f.text, { settings, path: f.rel, index: project.index, only: opts.only }, rules, select);
    } catch (e) {
      sum.errors++;
      io.err(`failed ${f.rel}: ${oneLine(e)}`);
      continue;
    }
    if (result.text === f.text) continue;
    const inside = realPathInside(project.baseDir, f.abs);
    if ('reason' in inside) {
      sum.failed++;
      io.err(`not written ${f.rel}: ${inside.reason}`);
      continue;
    }
    const todos = countTodos(result.text);
    if (opts.dryRun) {
      io.out(unifiedDiff(f.rel, f.text, result.text));
    } else {
      const content = Buffer.from((f.bom ? '\ufeff' : '') + result.text, 'utf8');
      const w = writeFileAtomic(inside.real, f.raw, content);
      if (!w.ok) {
        sum.failed++;
        io.err(`not written ${f.rel}: ${w.reason}`);
        continue;
      }
      io.out(`fixed ${plural(result.applied, 'finding')} in ${f.rel}; ${todos} TODO(port) left\n`);
    }
    sum.changedFiles++;
    sum.applied += result.applied;
    sum.todos += todos;
  }
  const total = `${plural(sum.applied, 'finding')} in ${plural(sum.changedFiles, 'file')}; ${sum.todos} TODO(port) left`;
  if (opts.dryRun) io.err(`dry run: would fix ${total}; nothing written`);
  else io.out(`fixed ${total}${sum.failed ? `; ${plural(sum.failed, 'file')} not written` : ''}\n`);
  return sum;
}
