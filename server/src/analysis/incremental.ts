// Incremental analysis of an edited document (the language server's didChange path): the findings of the previous
// analysis outside the edited top-level statements are kept (moved to the new offsets), and the rules' queries run
// only over the edited statements. The result equals a full analysis (test/unit/incremental.test.ts); whenever that
// cannot be shown cheaply it *is* a full analysis: an edited import statement, module-level bindings that differ
// (name, kind, imported module/name, assigned value, class bases, star imports), more than MAX_STATEMENTS
// statements touched, a change of the port markers or a marker inside an edited statement, a module-level function
// whose returns now resolve differently (it may be an app factory), other settings, path or index, or a lost log.
import type { Doc } from '../lsp/documents';
import type { Node } from '../parsing/python';
import type { PythonGrammar } from '../parsing/python';
import { analyze, internalsOf, type Analysis, type AnalyzeOptions, type PartialRun } from './engine';
import { LineMap } from './lineMap';
import { scanMarkers } from './markers';
import type { ModuleIndex } from './moduleIndex';
import type { LoadedRule } from './rule';

export const MAX_STATEMENTS = 8;

interface Meta {
  rev: number;
  text: string;
  key: string;
  index?: ModuleIndex;
  indexVersion: number;
  rules: readonly LoadedRule[];
}

const metas = new WeakMap<Analysis, Meta>();

/** Why the last analyzeDocument call was not incremental ('' when it was): for tests and the bench. */
export let lastFallback = '';

function metaOf(doc: Doc, opts: AnalyzeOptions, rules: readonly LoadedRule[]): Meta {
  return { rev: doc.log?.rev ?? -1, text: doc.text, key: JSON.stringify([opts.settings, opts.path ?? '']), index: opts.index, indexVersion: opts.index?.version ?? 0, rules };
}

function full(grammar: PythonGrammar, doc: Doc, opts: AnalyzeOptions, rules: readonly LoadedRule[], why: string): Analysis {
  lastFallback = why;
  const a = analyze(grammar, doc.text, { ...opts, tree: doc.tree ?? undefined }, rules);
  void a.moduleSignature; // now, while its tree is alive: the next edit deletes it
  metas.set(a, metaOf(doc, opts, rules));
  return a;
}

/**
 * The analysis of a document as it is now, made incrementally from `prev` (the analysis of an earlier revision of
 * the same document, same settings and index) when the edits since allow it. The caller keeps ownership of the tree.
 */
export function analyzeDocument(grammar: PythonGrammar, doc: Doc, opts: Omit<AnalyzeOptions, 'tree'>, rules: readonly LoadedRule[], prev?: Analysis): Analysis {
  const meta = prev && metas.get(prev);
  if (!prev || !meta) return full(grammar, doc, opts, rules, 'no previous analysis');
  const tree = doc.tree;
  const log = doc.log;
  if (!tree || !log) return full(grammar, doc, opts, rules, 'no tree');
  const now = metaOf(doc, opts, rules);
  if (meta.key !== now.key || meta.index !== now.index || meta.indexVersion !== now.indexVersion || meta.rules !== rules) return full(grammar, doc, opts, rules, 'settings or index changed');
  const recs = log.records.filter((r) => r.rev > meta.rev);
  if (recs.length !== log.rev - meta.rev || !recs.length) return full(grammar, doc, opts, rules, 'change log lost');
  if (recs.some((r) => !r.ranges)) return full(grammar, doc, opts, rules, 'full text replaced');

  // changed regions, in the current text's offsets
  let regions: [number, number][] = [];
  for (const r of recs) {
    for (const e of r.edits) {
      const d = e.newEnd - e.oldEnd;
      regions = regions.map(([s, t]) => [s >= e.oldEnd ? s + d : Math.min(s, e.start), t >= e.oldEnd ? t + d : t >= e.start ? e.newEnd : t]);
      regions.push([e.start, e.newEnd]);
    }
    for (const cr of r.ranges!) regions.push([cr.startIndex, cr.endIndex]);
  }

  // the top-level statements they touch (a region of whitespace between statements touches none)
  const top = tree.rootNode.namedChildren.filter((n): n is Node => !!n);
  const affected = new Map<number, Node>();
  for (const [s, e] of regions) {
    for (const st of top) {
      if (st.startIndex > e) break;
      if (st.endIndex < s) continue;
      affected.set(st.startIndex, st);
    }
    if (affected.size > MAX_STATEMENTS) return full(grammar, doc, opts, rules, 'too many statements');
  }
  const roots = [...affected.values()].sort((a, b) => a.startIndex - b.startIndex);
  for (const r of roots) if (r.type === 'import_statement' || r.type === 'import_from_statement' || r.type === 'future_import_statement') return full(grammar, doc, opts, rules, 'import edited');

  // markers: the same ones, none inside an edited statement
  const markers = scanMarkers(doc.text, new LineMap(doc.text));
  const old = prev.markers;
  if (markers.length !== old.length || markers.some((m, i) => m.kind !== old[i].kind || m.rule !== old[i].rule || m.text !== old[i].text)) return full(grammar, doc, opts, rules, 'markers changed');
  if (markers.some((m) => roots.some((r) => m.start <= r.endIndex && m.end >= r.startIndex))) return full(grammar, doc, opts, rules, 'marker in an edited statement');

  // the previous findings outside the edited statements, moved
  // (a finding touching an edit lies in an edited statement: it is dropped below, whatever this gives it)
  const move = (x: number): number | undefined => {
    for (const r of recs) {
      for (const e of r.edits) {
        if (x < e.start) continue;
        if (x >= e.oldEnd) x += e.newEnd - e.oldEnd;
        else return undefined;
      }
    }
    return x;
  };
  const kept: PartialRun['kept'] = [];
  for (const k of internalsOf(prev)) {
    const s = move(k.finding.start);
    const e = move(k.finding.end);
    if (s === undefined || e === undefined) continue;
    if (roots.some((r) => s <= r.endIndex && e >= r.startIndex)) continue;
    kept.push({ ...k, finding: { ...k.finding, start: s, end: e } });
  }

  let fullMemo: Analysis | undefined;
  const partial: PartialRun = {
    roots,
    kept,
    topReturns: prev.topReturns,
    full: () => (fullMemo ??= analyze(grammar, doc.text, { ...opts, tree }, rules)),
  };
  const a = analyze(grammar, doc.text, { ...opts, tree }, rules, partial);
  // the same module-level bindings (imports, defs, classes and their bases, assignments and their values)
  if (a.moduleSignature !== prev.moduleSignature) {
    a.dispose();
    return full(grammar, doc, opts, rules, 'module-level bindings changed');
  }
  // a function whose returns resolve differently may be an app factory used elsewhere
  for (const [k, v] of a.topReturns) {
    if (prev.topReturns.get(k) !== v) {
      a.dispose();
      return full(grammar, doc, opts, rules, `returns of ${k} changed`);
    }
  }
  lastFallback = '';
  metas.set(a, now);
  return a;
}
