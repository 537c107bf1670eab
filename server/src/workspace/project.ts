// A folder of Python code analyzed as one project: its files, the ModuleIndex that links imports between them,
// and the analysis of each file with that index. Used by the CLI and the language server alike.
import * as path from 'node:path';
import type { PythonGrammar } from '../parsing/python';
import { Bindings } from '../analysis/bindings';
import { ModuleIndex, moduleNameFor, summarize } from '../analysis/moduleIndex';
import { analyze, type Analysis } from '../analysis/engine';
import type { LoadedRule } from '../analysis/rule';
import type { Settings } from '../analysis/types';
import { listFiles, readText, type FileSelection, type Skipped } from './files';

export interface ProjectFile {
  rel: string;
  abs: string;
  text: string;
}

/** Adds one file's module-level names to the index (a parse, no rules). */
export function indexFile(grammar: PythonGrammar, index: ModuleIndex, rel: string, text: string) {
  // only files that can export framework objects matter; the rest resolve to "project module, nothing known"
  const mod = moduleNameFor(rel);
  const parser = grammar.newParser();
  const tree = parser.parse(text);
  try {
    if (!tree) return;
    const b = new Bindings(tree, text, mod.name, undefined, mod.isPackage);
    index.set(mod.name, summarize(b));
  } finally {
    tree?.delete();
    parser.delete();
  }
}

export async function loadProject(grammar: PythonGrammar, root: string, sel?: FileSelection): Promise<{ files: ProjectFile[]; skipped: Skipped[]; index: ModuleIndex }> {
  const listed = await listFiles(root, sel);
  const files: ProjectFile[] = [];
  const skipped = [...listed.skipped];
  const index = new ModuleIndex();
  for (const rel of listed.files) {
    const abs = path.join(root, rel);
    const r = readText(abs);
    if ('reason' in r) {
      skipped.push({ file: rel, reason: r.reason });
      continue;
    }
    files.push({ rel, abs, text: r.text });
    indexFile(grammar, index, rel, r.text);
  }
  return { files, skipped, index };
}

export function analyzeFile(grammar: PythonGrammar, f: { rel: string; text: string }, settings: Settings, index: ModuleIndex, rules: readonly LoadedRule[]): Analysis {
  return analyze(grammar, f.text, { settings, path: f.rel, index }, rules);
}
