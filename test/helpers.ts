// Shared by the tests: the grammar, the rules and small helpers to analyze and fix text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPython, type PythonGrammar } from '../server/src/parsing/python';
import { RULES } from '../server/src/rules/generated';
import { analyze, fixAllText } from '../server/src/analysis/engine';
import { DEFAULT_SETTINGS, type Settings } from '../server/src/analysis/types';
import type { LoadedRule } from '../server/src/analysis/rule';
import type { Node } from '../server/src/parsing/python';
import type { ModuleIndex } from '../server/src/analysis/moduleIndex';
import { scanWorkspace } from '../server/src/workspace/scan';

export { RULES };

/** Every .py file under dir, sorted. */
export function pythonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pythonFilesUnder(p));
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}
export const grammar: Promise<PythonGrammar> = loadPython();

export function settingsFor(target: Settings['target'], extra: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, target, ...extra };
}

const ROOT = path.resolve(__dirname, '..');

/**
 * Every example and rule fixture file under four settings (both targets, both ORM targets), with the options a file
 * gets in a workspace scan: the example app's files their path and the app's index, the others `app.py`.
 */
export async function* exampleAndFixtureCases(): AsyncGenerator<{ file: string; text: string; opts: { settings: Settings; path: string; index?: ModuleIndex } }> {
  const blog = path.join(ROOT, 'examples/flask-blog');
  const files = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];
  for (const settings of [settingsFor('django'), settingsFor('fastapi'), settingsFor('django', { ormTarget: 'sqlalchemy2' }), settingsFor('fastapi', { ormTarget: 'django-orm' })]) {
    const { index } = await scanWorkspace(blog, { settings, threads: 1 });
    for (const file of files) {
      const inBlog = file.startsWith(blog + path.sep);
      yield { file: path.relative(ROOT, file), text: fs.readFileSync(file, 'utf8'), opts: { settings, path: inBlog ? path.relative(blog, file).split(path.sep).join('/') : 'app.py', index: inBlog ? index : undefined } };
    }
  }
}

export async function findings(text: string, settings: Settings, only?: (r: LoadedRule) => boolean, path = 'app.py') {
  const g = await grammar;
  const a = analyze(g, text, { settings, only, path }, RULES);
  try {
    // plain copies: fixable/safe are computed lazily from the tree, which dispose() frees
    return a.findings.map((f) => ({ ...f, fixable: f.fixable, safe: f.safe }));
  } finally {
    a.dispose();
  }
}

export async function fixAll(text: string, settings: Settings, only?: (r: LoadedRule) => boolean, path = 'app.py') {
  const g = await grammar;
  return fixAllText(g, text, { settings, only, path }, RULES).text;
}

/** ERROR or MISSING nodes of a parse, as "line:col type" strings. */
export async function syntaxErrors(text: string): Promise<string[]> {
  const g = await grammar;
  const p = g.newParser();
  const t = p.parse(text)!;
  const out: string[] = [];
  const visit = (n: Node) => {
    if (n.type === 'ERROR' || n.isMissing) out.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.type}`);
    if (n.hasError) for (const c of n.children) if (c) visit(c);
  };
  visit(t.rootNode);
  t.delete();
  p.delete();
  return out;
}
