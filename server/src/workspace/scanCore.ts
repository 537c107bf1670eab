// The per-file work of a scan, the same in the main thread and in a worker: summarize a file for the ModuleIndex,
// analyze a file with the index. Results are plain data (they cross threads and go into the cache).
import { parseRefusal, type PythonGrammar, type Tree } from '../parsing/python';
import { Bindings } from '../analysis/bindings';
import { ModuleIndex, moduleNameFor, summarize, type ModuleSummary } from '../analysis/moduleIndex';
import { analyze } from '../analysis/engine';
import { parseForAnalysis } from '../analysis/partialParse';
import type { LoadedRule } from '../analysis/rule';
import type { Finding, PortMarker, Settings } from '../analysis/types';
import { readFacts, type ReadFacts, type ReadOptions } from './readFacts';

/** A finding without its lazy fix: serializable. */
export type PlainFinding = Omit<Finding, 'fix'>;

export interface FileAnalysis {
  findings: PlainFinding[];
  markers: PortMarker[];
}

export function plainFinding(f: Finding): PlainFinding {
  return { rule: f.rule, from: f.from, category: f.category, message: f.message, severity: f.severity, start: f.start, end: f.end, range: f.range, target: f.target, fixable: f.fixable, safe: f.safe };
}

export type Work =
  /** a file of the read phase (readFacts.ts) */
  | ({ kind: 'read'; rel: string; abs: string } & ReadOptions)
  | { kind: 'index'; rel: string; text: string; /** keep the tree for a later analyze of the same file */ keep: boolean }
  | {
      kind: 'analyze';
      rel: string;
      text: string;
      /** not relevant: only the rules without `requires` can fire */
      ungatedOnly?: boolean;
      /** names its imports bind from a source framework, read from its text (partialParse.ts) */
      frameworkNames?: string[];
    };

/** `refused`: why the text was not parsed (parseRefusal: text that would break the wasm parser), its result empty */
export type WorkResult =
  | { kind: 'read'; rel: string; facts: ReadFacts }
  | { kind: 'index'; rel: string; summary: ModuleSummary; refused?: string }
  | { kind: 'analyze'; rel: string; analysis: FileAnalysis; refused?: string };

const ungatedRule = (r: LoadedRule) => Object.keys(r.requires).length === 0;
const ungatedLists = new WeakMap<readonly LoadedRule[], LoadedRule[]>();
/**
 * The rules without `requires`, one stable list per rule set: the engine compiles one combined query per list, so
 * a file where only these can fire walks their patterns alone, not every rule's (same findings, same order).
 */
function ungatedRules(rules: readonly LoadedRule[]): LoadedRule[] {
  let list = ungatedLists.get(rules);
  if (!list) ungatedLists.set(rules, (list = rules.filter(ungatedRule)));
  return list;
}

/** Holds a grammar's parser and (between the index and the analyze step) the trees of files parsed for both. */
export class ScanCore {
  private readonly parser: ReturnType<PythonGrammar['newParser']>;
  private readonly kept = new Map<string, Tree>();
  private index = new ModuleIndex();
  parsed = 0;

  constructor(
    private readonly grammar: PythonGrammar,
    private readonly rules: readonly LoadedRule[],
    private settings: Settings,
  ) {
    this.parser = grammar.newParser();
  }

  setIndex(summaries: [string, ModuleSummary][], settings: Settings) {
    this.index = new ModuleIndex();
    for (const [name, s] of summaries) this.index.set(name, s);
    this.settings = settings;
  }

  setIndexObject(index: ModuleIndex, settings: Settings) {
    this.index = index;
    this.settings = settings;
  }

  run(w: Work): WorkResult {
    if (w.kind === 'read') return { kind: 'read', rel: w.rel, facts: readFacts(w.abs, w.rel, w) };
    // (a tree kept from the index step was parsed already)
    const refused = this.kept.has(w.rel) ? undefined : parseRefusal(w.text);
    if (refused) return w.kind === 'index' ? { kind: 'index', rel: w.rel, summary: {}, refused } : { kind: 'analyze', rel: w.rel, analysis: { findings: [], markers: [] }, refused };
    if (w.kind === 'index') {
      const tree = this.parser.parse(w.text);
      this.parsed++;
      if (!tree) return { kind: 'index', rel: w.rel, summary: {} };
      const mod = moduleNameFor(w.rel);
      const summary = summarize(new Bindings(tree, w.text, mod.name, undefined, mod.isPackage));
      if (w.keep) this.kept.set(w.rel, tree);
      else tree.delete();
      return { kind: 'index', rel: w.rel, summary };
    }
    let tree = this.kept.get(w.rel);
    let bindings: Bindings | undefined;
    this.kept.delete(w.rel);
    if (!tree) {
      const mod = moduleNameFor(w.rel);
      const r = parseForAnalysis(this.grammar, this.parser, w.text, { moduleName: mod.name, isPackage: mod.isPackage, index: this.index, rules: this.rules, frameworkNames: w.frameworkNames });
      tree = r.tree ?? undefined;
      bindings = r.bindings;
      this.parsed++;
    }
    if (!tree) return { kind: 'analyze', rel: w.rel, analysis: { findings: [], markers: [] } };
    try {
      const rules = w.ungatedOnly ? ungatedRules(this.rules) : this.rules;
      const a = analyze(this.grammar, w.text, { settings: this.settings, path: w.rel, index: this.index, tree, bindings }, rules);
      return { kind: 'analyze', rel: w.rel, analysis: { findings: a.findings.map(plainFinding), markers: a.markers } };
    } finally {
      tree.delete();
    }
  }

  /** Between two scans of a kept pool: the trees kept for an analysis that did not come (a cancelled scan), and the index. */
  reset() {
    for (const t of this.kept.values()) t.delete();
    this.kept.clear();
    this.index = new ModuleIndex();
  }

  dispose() {
    this.reset();
    this.parser.delete();
  }
}
