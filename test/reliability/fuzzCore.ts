// One fuzz input through the analyzer: analysis, a few single fixes and the fix-all, with the checks that hold for any
// input (edits in bounds and disjoint; a text that parsed cleanly still parses cleanly after any fix; fix-all
// idempotent on clean inputs; on clean inputs the workspace scan's partial parse finds what the whole tree gives).
// Throws on a crash; returns violations.
import { parseRefusal, type PythonGrammar } from '../../server/src/parsing/python';
import { analyze, fixAllText } from '../../server/src/analysis/engine';
import { parseForAnalysis } from '../../server/src/analysis/partialParse';
import { plainFinding } from '../../server/src/workspace/scanCore';
import { applyEdits, normalizeEdits } from '../../server/src/analysis/materialize';
import type { LoadedRule } from '../../server/src/analysis/rule';
import { spawnSync } from 'node:child_process';
import { settingsFor, syntaxErrorCount } from './lib';

export interface FuzzOutcome {
  findings: number;
  fixes: number;
  fixAllChanged: boolean;
  violations: string[];
  refused?: boolean;
}

export function fuzzOne(g: PythonGrammar, rules: readonly LoadedRule[], text: string, target: 'django' | 'fastapi' | 'flask', maxFixes = 4): FuzzOutcome {
  const opts = { settings: settingsFor(target), path: 'pkg/app.py' };
  const v: string[] = [];
  // text the parser must not see (see parseRefusal) is refused by analyze() with a reason, not parsed
  if (parseRefusal(text)) {
    try {
      analyze(g, text, opts, rules).dispose();
      v.push('analyze() accepted a text parseRefusal refuses');
    } catch (e) {
      if (!/^not analyzed: /.test((e as Error).message)) throw e;
    }
    return { findings: 0, fixes: 0, fixAllChanged: false, violations: v, refused: true };
  }
  const parser = g.newParser();
  const tree = parser.parse(text);
  parser.delete();
  if (!tree) throw new Error('the parser returned no tree');
  const clean0 = !tree.rootNode.hasError;
  let a;
  try {
    a = analyze(g, text, { ...opts, tree }, rules);
  } catch (e) {
    tree.delete();
    throw e;
  }
  if (clean0) {
    // (forced on whatever the size; a syntax error in a statement left out is not seen by design, hence clean inputs)
    const pp = g.newParser();
    const part = parseForAnalysis(g, pp, text, { moduleName: 'pkg.app', isPackage: false, rules, minChars: 0, maxShare: 1 });
    try {
      if (part.tree) {
        const pa = analyze(g, text, { ...opts, tree: part.tree, bindings: part.bindings }, rules);
        if (JSON.stringify(pa.findings.map(plainFinding)) !== JSON.stringify(a.findings.map(plainFinding))) v.push('partial parse: findings differ from the whole tree');
        pa.dispose();
      }
    } finally {
      part.tree?.delete();
      pp.delete();
    }
  }
  let fixes = 0;
  const isClean = () => clean0;
  try {
    // lazy fixes for the first few fixable findings, as the editor asks for them
    for (let i = 0; i < a.findings.length && fixes < maxFixes; i++) {
      const f = a.findings[i];
      if (f.start < 0 || f.end > text.length || f.start > f.end) v.push(`finding ${f.rule} out of bounds`);
      if (!f.fixable) continue;
      const fix = a.fix(i);
      if (!fix) continue;
      fixes++;
      for (const e of fix.edits) if (e.start < 0 || e.end > text.length || e.start > e.end) v.push(`fix ${f.rule}: edit out of bounds`);
      try {
        normalizeEdits([...fix.edits]);
      } catch {
        v.push(`fix ${f.rule}: overlapping edits`);
        continue;
      }
      const out = applyEdits(text, fix.edits);
      if (isClean() && syntaxErrorCount(g, out) > 0 && pythonConfirms(text, out)) v.push(`fix ${f.rule}@${f.range.start.line + 1}: a clean file no longer parses`);
    }
  } finally {
    a.dispose();
    tree.delete();
  }
  let fixAllChanged = false;
  if (a.findings.some((f) => f.fixable)) {
    const all = fixAllText(g, text, opts, rules).text;
    fixAllChanged = all !== text;
    if (fixAllChanged && isClean()) {
      if (syntaxErrorCount(g, all) > 0) {
        if (pythonConfirms(text, all)) v.push('fix-all: a clean file no longer parses');
      }
      else if (fixAllText(g, all, opts, rules).text !== all) v.push('a second fix-all changed the text');
    }
  }
  return { findings: a.findings.length, fixes, fixAllChanged, violations: v };
}

/**
 * Whether Python agrees that a fix broke the file: it accepts `before` and rejects `after` (true when python3 is
 * missing). tree-sitter alone is no oracle here: it accepts some invalid Python (a class without a body before an
 * import) and reads a lone CR as a space, not a line break, so fixes of such files looked broken to it while Python
 * accepts the result (fuzz seed 20261122, inputs 47033 and 53120). Synchronous, but only asked on tree-sitter's alarm.
 */
export function pythonConfirms(before: string, after: string): boolean {
  if (process.env.FP_NO_PYTHON === '1') return true;
  const prog = 'import ast, json, sys, warnings\nwarnings.simplefilter("ignore")\nout = []\nfor src in json.load(sys.stdin):\n    try:\n        ast.parse(src); out.append(1)\n    except BaseException:\n        out.append(0)\nprint(json.dumps(out))';
  const r = spawnSync('python3', ['-c', prog], { input: JSON.stringify([before, after]), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return true;
  const [okBefore, okAfter] = JSON.parse(r.stdout) as number[];
  return okBefore === 1 && okAfter === 0;
}
