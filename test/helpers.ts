// Shared by the tests: the grammar, the rules and small helpers to analyze and fix text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPython, type PythonGrammar } from '../server/src/parsing/python';
import { RULES } from '../server/src/rules/generated';
import { analyze, fixAllText } from '../server/src/analysis/engine';
import { DEFAULT_SETTINGS, type Settings } from '../server/src/analysis/types';
import type { LoadedRule } from '../server/src/analysis/rule';
import type { Node } from '../server/src/parsing/python';

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
