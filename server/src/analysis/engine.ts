// The analyzer: (text, settings) → findings with fixes. Pure: no LSP, no VS Code, no file system.
import { parseRefusal, MATCH_OPTIONS, type PythonGrammar, type Query, type QueryMatch, type Tree, type Node } from '../parsing/python';
import { attributeNamesFor, Bindings, defSpan } from './bindings';
import { FixBuilder, type FixPlan } from './fixBuilder';
import { applyEdits, materialize, normalizeEdits, OverlapError } from './materialize';
import { scanMarkers, isSuppressed } from './markers';
import { moduleNameFor, type ModuleIndex } from './moduleIndex';
import type { LoadedRule, RuleContext, RuleMatch } from './rule';
import { LineMap } from './lineMap';
import { frameworkUnits, statementsHolding, statementUnits } from './frameworkNames';
import { nameFinder } from './nameFinder';
import { byName, combinedFor } from './combinedQuery';
import { checksHold } from './queryPatterns';
import { wordEndingAt } from './words';
import { effectiveOrm, type Finding, type Fix, type FixTarget, type OffsetEdit, type PortMarker, type Settings, type Source } from './types';

export interface AnalyzeOptions {
  settings: Settings;
  /** the file's path relative to its root, '/'-separated: gives its module name for relative imports */
  path?: string;
  index?: ModuleIndex;
  /** an already parsed tree of exactly this text (the caller keeps ownership) */
  tree?: Tree;
  /** the Bindings of that tree, built by the caller with this path's module name and this index (partialParse.ts) */
  bindings?: Bindings;
  /** only these rules (default: all) */
  only?: (rule: LoadedRule) => boolean;
  /** query every statement, even those that name nothing bound to a framework object (tests compare both) */
  everyStatement?: boolean;
  /** an incremental run's roots longer than this are queried as a full analysis would (default LARGE_ROOT; tests: 0) */
  largeRoot?: number;
}

/**
 * Characters from which an incremental run's root is queried in the units the statement filter keeps inside it, as a
 * full analysis would, not whole: an undone bracket makes tree-sitter report most of a 1,000-method class changed,
 * and querying all of it took 60–100 ms where a full analysis of the file takes 16.
 */
export const LARGE_ROOT = 8_000;

/** The node type a rule's query is rooted at when that lies above any statement it may find (module, class). */
function rootTypeOf(rule: LoadedRule): 'module' | 'class_definition' | undefined {
  const m = /^\s*\((module|class_definition)\b/.exec(rule.query);
  return m ? (m[1] as 'module' | 'class_definition') : undefined;
}

const ORM_SOURCES: ReadonlySet<Source> = new Set(['flask-sqlalchemy', 'sqlalchemy', 'django-orm']);

/** The target a rule would port to under these settings, or undefined when it does not apply. */
export function ruleTarget(rule: LoadedRule, settings: Settings): FixTarget | undefined {
  const t: FixTarget | 'keep' = ORM_SOURCES.has(rule.from) ? effectiveOrm(settings) : settings.target;
  if (t === 'keep') return undefined;
  if (settings.rules[rule.id] === 'off') return undefined;
  return rule.fixes[t] ? t : undefined;
}

const queryCache = new WeakMap<PythonGrammar, Map<string, Query>>();

function compiled(grammar: PythonGrammar, rule: LoadedRule): Query {
  let m = queryCache.get(grammar);
  if (!m) queryCache.set(grammar, (m = new Map()));
  // keyed by the query's text: rules with the same query share one compiled query (and its matches per run)
  let q = m.get(rule.query);
  if (!q) m.set(rule.query, (q = grammar.query(rule.query)));
  return q;
}

const lastNameSets = new WeakMap<LoadedRule, ReadonlySet<string>>();
/** The last names of what a rule found by name stands for (bindings.ts attributeNamesFor). */
function lastNamesOf(rule: LoadedRule): ReadonlySet<string> {
  let s = lastNameSets.get(rule);
  if (!s) lastNameSets.set(rule, (s = attributeNamesFor(rule.refersTo ?? [])));
  return s;
}

/** A match's first node per capture name, and every node per name (quantified captures). */
function capturesOf(qm: QueryMatch): { captures: Record<string, Node>; all: Record<string, Node[]> } {
  const captures: Record<string, Node> = {};
  const all: Record<string, Node[]> = {};
  for (const c of qm.captures) {
    (all[c.name] ??= []).push(c.node);
    captures[c.name] ??= c.node;
  }
  return { captures, all };
}

const parsers = new WeakMap<PythonGrammar, ReturnType<PythonGrammar['newParser']>>();
function parserFor(grammar: PythonGrammar) {
  let p = parsers.get(grammar);
  if (!p) parsers.set(grammar, (p = grammar.newParser()));
  return p;
}

interface Internal {
  finding: Finding;
  /** built on first use (null: no fix); `undefined` until then */
  plan?: FixPlan | null;
  rule: LoadedRule;
  target: FixTarget;
  /** undefined for a finding carried over by an incremental analysis (its plan comes from a full analysis) */
  m?: RuleMatch;
  /** position of the rule in the rule list: orders findings with the same span as a full run does */
  order: number;
  /** fixable/safe carried over from an earlier analysis */
  known?: { fixable: boolean; safe: boolean };
}

/**
 * A finding of an earlier analysis, as data (never read its fixable/safe getters: the earlier tree may be gone),
 * and where it lies in the current text.
 */
export interface CarriedFinding {
  finding: Omit<Finding, 'fixable' | 'safe' | 'fix'>;
  rule: LoadedRule;
  target: FixTarget;
  order: number;
  known?: { fixable: boolean; safe: boolean };
  start: number;
  end: number;
  /** its range, when the text up to its end is unchanged (else computed from start and end) */
  range?: Finding['range'];
}

/** What an incremental analysis (incremental.ts) hands the engine: statements to query, findings to keep. */
export interface PartialRun {
  /** query only these nodes (top-level statements of the new tree) */
  roots: Node[];
  /** findings of the previous analysis outside `roots`, already moved to the new text's offsets */
  kept: CarriedFinding[];
  /** a full analysis of the same tree, for the fix plans of kept findings */
  full: () => Analysis;
  /** module-level function → what its returns resolve to, carried over (entries of `roots` are recomputed) */
  topReturns: Map<string, string | undefined>;
  /** the Bindings of this tree, when the caller built them already (incremental.ts compares them first) */
  bindings?: Bindings;
  /** the port markers of this text, when the caller scanned them already */
  markers?: PortMarker[];
  /** how often each rule needle occurs in this text (incremental.ts carries them over from the previous text) */
  needleCounts?: Map<string, number>;
  /** moduleSignatures of `bindings`, when the caller made them already (incremental.ts compares them first) */
  signatures?: Map<string, BindingSig[]>;
}

/**
 * Whether span [s, e) shares text with [rs, re) (an empty span: lies in it). A finding that only touches a
 * re-queried root's edge is not re-found by it: it must be kept, not dropped.
 */
export function overlaps(s: number, e: number, rs: number, re: number): boolean {
  return s === e ? rs <= s && s < re : s < re && e > rs;
}

const needleLists = new WeakMap<readonly LoadedRule[], string[]>();
function needlesOf(rules: readonly LoadedRule[]): string[] {
  let list = needleLists.get(rules);
  if (!list) needleLists.set(rules, (list = [...new Set(rules.flatMap((r) => r.needles))]));
  return list;
}

/**
 * One search for a list of needles: the needles of two characters or more as one pattern, longest first, so a match
 * at an offset is the longest needle starting there, and the others starting there are its prefixes. (One `includes`
 * per needle read the text once per needle: 18–22 ms for the scan's analyzed files against 4–7 for this.)
 */
interface NeedleSearch {
  pattern: RegExp;
  /** per needle of the pattern: the needles that are prefixes of it, itself included */
  prefixes: Map<string, string[]>;
  /** needles of one character (`g`): searched on their own, or the pattern would stop at every one */
  single: string[];
}
const needleSearches = new WeakMap<readonly string[], NeedleSearch>();
function needleSearch(needles: readonly string[]): NeedleSearch {
  let s = needleSearches.get(needles);
  if (s) return s;
  const long = [...new Set(needles.filter((n) => n.length > 1))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const escape = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  s = {
    pattern: new RegExp(long.length ? long.map(escape).join('|') : '(?!)', 'g'),
    prefixes: new Map(long.map((n) => [n, long.filter((p) => n.startsWith(p))])),
    single: [...new Set(needles.filter((n) => n.length === 1))],
  };
  needleSearches.set(needles, s);
  return s;
}

/** Calls `f` with each needle of two characters or more at each offset where it starts; stops when `f` returns true. */
function eachLongNeedleStart(text: string, { pattern, prefixes }: NeedleSearch, f: (needle: string) => boolean | void) {
  pattern.lastIndex = 0;
  for (let m; (m = pattern.exec(text)); ) {
    for (const n of prefixes.get(m[0])!) if (f(n)) return;
    pattern.lastIndex = m.index + 1; // (a needle may start inside this one)
  }
}

/** How often one needle occurs in the text (overlapping occurrences count). */
export function countOccurrences(text: string, needle: string): number {
  let k = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) k++;
  return k;
}

/** How often each needle occurs in the text (overlapping occurrences count: an occurrence is where it starts). */
export function countNeedles(text: string, needles: readonly string[]): Map<string, number> {
  const search = needleSearch(needles);
  const out = new Map<string, number>();
  for (const n of needles) out.set(n, 0);
  for (const n of search.single) out.set(n, countOccurrences(text, n));
  eachLongNeedleStart(text, search, (n) => void out.set(n, out.get(n)! + 1));
  return out;
}

/** The needles the text holds. */
export function presentNeedles(text: string, needles: readonly string[]): Set<string> {
  const search = needleSearch(needles);
  const out = new Set<string>();
  for (const n of search.single) if (text.includes(n)) out.add(n);
  const all = search.prefixes.size + search.single.length;
  if (out.size < all) {
    eachLongNeedleStart(text, search, (n) => {
      out.add(n);
      return out.size === all;
    });
  }
  return out;
}

/**
 * A finding whose fixable/safe come from its fix plan, built when first read (diagnostics never read them). A class,
 * not an object literal with getters: V8 makes such a literal ≈ 6× slower, and an edit of a module with 2,700
 * findings carries every one over as a new object.
 */
class LazyFinding implements Finding {
  readonly #owner: Analysis;
  readonly #it: Internal;
  rule: string;
  from: Finding['from'];
  category: Finding['category'];
  message: string;
  severity: Finding['severity'];
  start: number;
  end: number;
  range: Finding['range'];
  target: FixTarget;

  /** `start`, `end`, `range`: where a finding carried over from an earlier analysis (`f`) is now */
  constructor(owner: Analysis, it: Internal, f: Omit<Finding, 'fixable' | 'safe' | 'fix'>, start = f.start, end = f.end, range = f.range) {
    this.#owner = owner;
    this.#it = it;
    this.rule = f.rule;
    this.from = f.from;
    this.category = f.category;
    this.message = f.message;
    this.severity = f.severity;
    this.start = start;
    this.end = end;
    this.range = range;
    this.target = f.target;
  }

  get fixable(): boolean {
    const it = this.#it;
    return it.known ? it.known.fixable : !!this.#owner.planFor(it);
  }

  get safe(): boolean {
    const it = this.#it;
    return it.known ? it.known.safe : this.#owner.planFor(it)?.safe ?? false;
  }
}

export class Analysis {
  readonly findings: Finding[] = [];
  readonly markers: PortMarker[];
  readonly bindings: Bindings;
  readonly lines: LineMap;
  private readonly internal: Internal[] = [];
  private readonly ownsTree: boolean;
  private readonly moduleName: string;
  private readonly isPackage: boolean;
  /** module-level function (name#ordinal) → what its returns resolve to: incremental.ts compares them */
  readonly topReturns: Map<string, string | undefined>;
  private readonly partial?: PartialRun;

  constructor(
    readonly grammar: PythonGrammar,
    readonly text: string,
    readonly tree: Tree,
    readonly opts: AnalyzeOptions,
    rules: readonly LoadedRule[],
    partial?: PartialRun,
  ) {
    this.partial = partial;
    this.ownsTree = !opts.tree;
    const mod = opts.path ? moduleNameFor(opts.path) : { name: '', isPackage: false };
    this.moduleName = mod.name;
    this.isPackage = mod.isPackage;
    this.bindings = partial?.bindings ?? (opts.tree && opts.bindings) ?? new Bindings(tree, text, mod.name, opts.index, mod.isPackage);
    if (partial) partial.bindings = undefined;
    this.lines = LineMap.of(text);
    this.markers = partial?.markers ?? scanMarkers(text, this.lines);
    this.rules = rules;
    this.counts = partial?.needleCounts;
    this.topReturns = partial ? new Map(partial.topReturns) : new Map();
    this.run(rules);
    this.collectTopReturns(partial?.roots);
  }

  private readonly rules: readonly LoadedRule[];
  /** rule (by position) → its context when it applies here, looked up on first use (run) */
  private ctxOf: ((order: number) => RuleContext | undefined) | undefined;
  private counts: Map<string, number> | undefined;
  private present: Set<string> | undefined;

  /** How often each of the rules' needles occurs in the text (counted on first use: incremental.ts carries them). */
  get needleCounts(): Map<string, number> {
    return (this.counts ??= countNeedles(this.text, needlesOf(this.rules)));
  }

  private hasNeedle(n: string): boolean {
    if (this.counts) return (this.counts.get(n) ?? 0) > 0;
    return (this.present ??= presentNeedles(this.text, needlesOf(this.rules))).has(n);
  }

  private sigByName: Map<string, BindingSig[]> | undefined;
  /**
   * The module scope's bindings as text (what they bind, to what, from which offset), per name ('*': the star
   * imports): equal signatures resolve names alike. Made from the bindings' snapshot: take that while the tree is
   * alive (incremental.ts compares them).
   */
  get moduleSignatureByName(): Map<string, BindingSig[]> {
    return (this.sigByName ??= this.partial?.signatures ?? moduleSignatures(this.bindings));
  }

  /** What each module-level function's returns resolve to (only those among `within` when given). */
  private collectTopReturns(within?: Node[]) {
    // (a module level carried over whole, by edits inside bodies, is read by name: the module-level functions its
    // roots can hold are roots themselves, every other root lies in a definition's body)
    const lists = within && this.bindings.carriedWhole ? functionNamesOf(within).map((name) => [name, this.bindings.module.bindings.get(name) ?? []] as const) : this.bindings.module.bindings;
    // (by offsets: a carried-over binding finds its node only when read)
    for (const [name, list] of lists) {
      for (let i = 0; i < list.length; i++) {
        const b = list[i];
        const span = b.kind === 'def' ? defSpan(b) : undefined;
        if (!span || (within && !inSome(within, span.start, span.end))) continue;
        this.topReturns.set(`${name}#${i}`, this.bindings.returnsOf(b.def!));
      }
    }
    // entries carried over for functions that are gone (renamed, removed; none when the module level was carried whole)
    if (!within || this.bindings.carriedWhole) return;
    for (const k of [...this.topReturns.keys()]) {
      const at = k.lastIndexOf('#');
      const b = this.bindings.module.bindings.get(k.slice(0, at))?.[Number(k.slice(at + 1))];
      if (b?.kind !== 'def' || !defSpan(b)) this.topReturns.delete(k);
    }
  }

  /**
   * What a full analysis walks the combined query over: the module's statements, a class's header and body statement
   * by statement, and of those only the ones that name something that may be bound to a framework object. A finding
   * needs a capture that resolves to one, and a name resolves only through its bindings: an import of a framework
   * module (or of a project module's framework object), or an assignment, parameter annotation, class bases or
   * (called) function body that names such a name, to a fixpoint. A star import names anything: then every statement.
   */
  private fullUnits(): Node[] {
    const units = statementUnits(this.tree.rootNode);
    if (this.opts.everyStatement) return units;
    const extra = this.rules.flatMap((rule, i) => (rule.unboundNames?.length && this.ctxOf?.(i) ? rule.unboundNames : []));
    const found = frameworkUnits(this.grammar, this.bindings, this.text, units, extra);
    return found ? units.filter((_, i) => found.hit[i]) : units;
  }

  /**
   * What an incremental run queries with the combined query: its roots, but a large root (LARGE_ROOT) only in the
   * units a full analysis would query inside it (fullUnits, document order): no other unit there can hold a finding.
   * A root inside one unit (a method an edit touches) is queried whole when that unit is kept, else not at all.
   */
  private rootUnits(roots: Node[]): Node[] {
    const large = this.opts.largeRoot ?? LARGE_ROOT;
    if (!roots.some((r) => r.endIndex - r.startIndex > large)) return roots;
    const kept = this.fullUnits();
    const out: Node[] = [];
    for (const r of roots) {
      if (r.endIndex - r.startIndex <= large) {
        out.push(r);
        continue;
      }
      const holder = kept.find((u) => u.startIndex <= r.startIndex && r.endIndex <= u.endIndex && u.endIndex - u.startIndex > r.endIndex - r.startIndex);
      if (holder) out.push(r);
      else for (const u of kept) if (u.startIndex >= r.startIndex && u.endIndex <= r.endIndex) out.push(u);
    }
    return out;
  }

  /** The rule's context when it applies here (`only`, a target under these settings, a needle in the text). */
  private contextFor(rule: LoadedRule): RuleContext | undefined {
    const { settings } = this.opts;
    if (this.opts.only && !this.opts.only(rule)) return undefined;
    const target = ruleTarget(rule, settings);
    if (!target || !rule.needles.some((n) => this.hasNeedle(n))) return undefined;
    return { text: this.text, tree: this.tree, bindings: this.bindings, settings, target };
  }

  private run(rules: readonly LoadedRule[]) {
    const seen = new Set<string>();
    const roots = this.partial?.roots;
    // the rules that apply: `only`, a target under these settings, a needle in the text; asked once per rule, below
    // until each source has one that applies, then when a rule's pattern matches (a needle search for every rule was
    // 5 % of a scan)
    const memo: (RuleContext | null | undefined)[] = new Array(rules.length);
    const ctxOf = (this.ctxOf = (order: number) => {
      let c = memo[order];
      if (c === undefined) memo[order] = c = this.contextFor(rules[order]) ?? null;
      return c ?? undefined;
    });
    // the query of the sources with a rule that applies here (flask-sqlalchemy's patterns match every call and method
    // call: 15,647 of the scan's 24,164 matches were of rules that do not apply)
    const sources = new Set<string>();
    for (let i = 0; i < rules.length; i++) if (!sources.has(rules[i].from) && ctxOf(i)) sources.add(rules[i].from);
    const combined = combinedFor(this.grammar, rules, sources);
    // a pattern rooted at the module or at a class (a full analysis walks a class's body statement by statement:
    // fullUnits) may not match inside any one unit or root: it is asked for per rule below (matchesFor), and an
    // incremental run keeps what touches a root
    const rootedAbove = rules.map((rule) => !!rootTypeOf(rule));
    // rules found by name (a full analysis with the combined query): those that apply, and their finder
    const named = combined && !roots ? rules.flatMap((r, i) => (byName(r) && !rootedAbove[i] && ctxOf(i) ? [i] : [])) : [];
    let finder: ((unit: Node) => Node[]) | undefined;
    // the units a full analysis queries (fullUnits), computed once for the combined query and the rooted patterns
    let unitsMemo: Node[] | undefined;
    const unitsOnce = () => (unitsMemo ??= roots ? this.rootUnits(roots) : this.fullUnits());
    if (combined) {
      // one walk of the tree (of each root) for every rule: each match goes to the rules whose query holds its pattern
      if (rules.some((r, i) => !rootedAbove[i] && !byName(r) && ctxOf(i)) || named.length) {
        // statement by statement: the matches of one are dropped before the next (keystone's test_v3_auth.py, 255K
        // characters: 265 -> 240 ms, peak RSS 165 -> 147 MB, against the whole file's matches at once)
        const units = unitsOnce();
        if (named.length) finder = nameFinder(this.bindings, this.text, new Set(named.flatMap((i) => rules[i].refersTo!)), units);
        for (const at of units) {
          if (!at) continue;
          for (const qm of combined.query.matches(at, MATCH_OPTIONS)) {
            let got: ReturnType<typeof capturesOf> | undefined;
            for (const { order, checks } of combined.ownersOf[qm.patternIndex]) {
              if (rootedAbove[order]) continue;
              const ctx = ctxOf(order);
              if (!ctx) continue;
              got ??= capturesOf(qm);
              if (checks && !checksHold(checks, got.all, this.text)) continue;
              this.consider(rules[order], order, ctx, got.captures, got.all, qm.captures[0]?.node, seen);
            }
          }
          if (!finder) continue;
          for (const node of finder(at)) {
            const captures = { finding: node };
            const all = { finding: [node] };
            for (const order of named) this.consider(rules[order], order, ctxOf(order)!, captures, all, node, seen);
          }
        }
      }
    }
    const matchesOf = new Map<Query, ReturnType<Query['matches']>>();
    for (let order = 0; order < rules.length; order++) {
      const rule = rules[order];
      // (a rule found by name falls back to its query when no finder could be made: an edit's roots, a star import)
      if (combined && !rootedAbove[order] && (!byName(rule) || (finder && named.includes(order)))) continue;
      const ctx = ctxOf(order);
      if (!ctx) continue;
      const query = compiled(this.grammar, rule);
      let qms = matchesOf.get(query);
      if (!qms) {
        // (a full analysis asks a class-rooted pattern only in the statements that hold a unit fullUnits kept)
        const rootType = rootTypeOf(rule);
        matchesOf.set(query, (qms = this.matchesFor(query, rootType, roots ?? (rootType === 'class_definition' ? statementsHolding(this.tree.rootNode, unitsOnce()) : undefined))));
      }
      // (a rule found by name, queried here for an edit's roots, matches every name and attribute: an attribute stands
      // for one of its objects only when it ends in one of their last names, as its finder knows — the others are
      // passed over before their captures are made and resolved)
      const lastNames = byName(rule) ? lastNamesOf(rule) : undefined;
      for (const qm of qms) {
        const first = qm.captures[0]?.node;
        if (lastNames && first?.type === 'attribute' && !lastNames.has(wordEndingAt(this.text, first.endIndex))) continue;
        const { captures, all } = capturesOf(qm);
        this.consider(rule, order, ctx, captures, all, first, seen, rootedAbove[order] ? roots : undefined);
      }
    }
    const before = (a: Internal, b: Internal) => a.finding.start - b.finding.start || a.finding.end - b.finding.end || a.order - b.order;
    this.internal.sort(before);
    if (this.partial) {
      // the kept findings are in this order already (an edit moves offsets monotonically): merged with the few the
      // roots gave, not sorted again with them (2,700 findings per edit of the Flask module)
      const found = this.internal.splice(0);
      const kept = this.partial.kept;
      this.partial.kept = []; // do not hold the previous analysis
      let i = 0;
      for (const k of kept) {
        const it = this.carried(k);
        while (i < found.length && before(found[i], it) <= 0) this.internal.push(found[i++]);
        this.internal.push(it);
      }
      while (i < found.length) this.internal.push(found[i++]);
    }
    for (const i of this.internal) this.findings.push(i.finding);
  }

  /**
   * A rule's matches: in each root (or the whole tree); for a pattern rooted at the module or at a class, an
   * incremental run needs only the matches that can touch a root: those whose pattern starts inside it, and those
   * that start at one of its ancestors of that type, asked for there alone (a start depth of 0). So the cursor does
   * not walk a 1,000-method class for an edit in one of its methods (test_v3_auth.py: 2.3 of 3.4 ms per edit). A
   * match found twice is one finding (`seen`). A full analysis asks a module pattern at the root alone, and a class
   * pattern in the statements it is given (those holding a unit the statement filter kept), at any depth.
   */
  private matchesFor(query: Query, rootType: string | undefined, roots: Node[] | undefined): QueryMatch[] {
    // a pattern rooted at the module starts at the root node only
    if (rootType === 'module' && !this.partial) return query.matches(this.tree.rootNode, { ...MATCH_OPTIONS, maxStartDepth: 0 });
    if (!roots) return query.matches(this.tree.rootNode, MATCH_OPTIONS);
    if (!rootType || !this.partial) return roots.flatMap((r) => query.matches(r, MATCH_OPTIONS));
    const out: QueryMatch[] = [];
    const asked = new Set<number>();
    for (const r of roots) {
      out.push(...query.matches(r, MATCH_OPTIONS));
      for (let a = r.parent; a; a = a.parent) {
        if (a.type !== rootType || asked.has(a.id)) continue;
        asked.add(a.id);
        out.push(...query.matches(a, { ...MATCH_OPTIONS, maxStartDepth: 0 }));
      }
    }
    return out;
  }

  /** One match of a rule's query: a finding unless `requires`/`when` reject it, it repeats one, or it is suppressed. */
  private consider(
    rule: LoadedRule,
    order: number,
    ctx: RuleContext,
    captures: Record<string, Node>,
    all: Record<string, Node[]>,
    first: Node | undefined,
    seen: Set<string>,
    touching?: Node[],
  ) {
    const node = captures.finding ?? first;
    if (!node) return;
    if (touching && !touching.some((r) => overlaps(node.startIndex, node.endIndex, r.startIndex, r.endIndex))) return;
    const m: RuleMatch = { captures, all, node, ctx, resolve: (n) => this.bindings.resolve(n) };
    if (!this.satisfies(rule, m)) return;
    const key = `${rule.id}:${node.startIndex}:${node.endIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (isSuppressed(this.markers, rule.id, this.lines, node, this.text)) return;
    this.addFinding(rule, ctx.target, m, order);
  }

  private satisfies(rule: LoadedRule, m: RuleMatch): boolean {
    for (const [cap, req] of Object.entries(rule.requires)) {
      const n = m.captures[cap];
      if (!n) return false;
      const q = this.bindings.resolve(n);
      if (typeof req === 'function') {
        if (!req(q, n, m)) return false;
      } else if (!q || !req.includes(q)) return false;
    }
    try {
      return rule.when ? rule.when(m) : true;
    } catch {
      return false;
    }
  }

  /** A kept finding as this analysis's: the record itself becomes its internal entry (made for this run, internalsOf). */
  private carried(k: PartialRun['kept'][number]): Internal {
    const it = k as unknown as Internal;
    it.finding = new LazyFinding(this, it, k.finding, k.start, k.end, k.range ?? this.lines.range(k.start, k.end));
    return it;
  }

  /** fixable/safe of finding i if they are known without building a plan now */
  knownFix(i: number): { fixable: boolean; safe: boolean } | undefined {
    const it = this.internal[i];
    if (!it) return undefined;
    if (it.known) return it.known;
    if (it.plan === undefined) return undefined;
    return { fixable: !!it.plan, safe: it.plan?.safe ?? false };
  }

  private addFinding(rule: LoadedRule, target: FixTarget, m: RuleMatch, order: number) {
    const node = m.node;
    const sev = this.opts.settings.rules[rule.id];
    const it = { rule, target, m, order } as Internal;
    // fixable/safe are computed on first read: building a fix plan runs the rule's rewrite, which diagnostics
    // do not need (the CLI's JSON, the scan and code actions read them)
    it.finding = new LazyFinding(this, it, {
      rule: rule.id,
      from: rule.from,
      category: rule.category,
      message: typeof rule.message === 'function' ? rule.message(m) : rule.message,
      severity: sev && sev !== 'off' ? sev : this.opts.settings.severity,
      start: node.startIndex,
      end: node.endIndex,
      range: this.lines.range(node.startIndex, node.endIndex),
      target,
    });
    this.internal.push(it);
  }

  /** (for LazyFinding) */
  planFor(it: Internal): FixPlan | undefined {
    if (it.plan !== undefined) return it.plan ?? undefined;
    if (!it.m) {
      // carried over: the plan of the same finding in a full analysis of this tree
      const full = this.partial!.full();
      const i = full.findings.findIndex((f) => f.rule === it.finding.rule && f.start === it.finding.start && f.end === it.finding.end);
      it.plan = (i >= 0 ? full.planOf(i) : undefined) ?? null;
      return it.plan ?? undefined;
    }
    const spec = it.rule.fixes[it.target]!;
    let plan: FixPlan | null = null;
    try {
      const fx = new FixBuilder(it.m.ctx, it.rule.id, spec.safe);
      fx.title = typeof spec.title === 'function' ? spec.title(it.m) : spec.title;
      if (spec.apply(it.m, fx) !== false && fx.edits.length) {
        normalizeEdits(fx.edits); // a rule whose own edits overlap offers no fix
        plan = fx.plan();
      }
    } catch {
      plan = null;
    }
    it.plan = plan;
    return plan ?? undefined;
  }

  /** Builds every finding's fix plan now (they are otherwise built when first needed). */
  ensurePlans(): this {
    for (const it of this.internal) this.planFor(it);
    return this;
  }

  private ctx() {
    return { grammar: this.grammar, text: this.text, bindings: this.bindings, moduleName: this.moduleName, isPackage: this.isPackage, index: this.opts.index };
  }

  planOf(i: number): FixPlan | undefined {
    const it = this.internal[i];
    return it && this.planFor(it);
  }

  /** The quick fix of finding i: its rewrite with imports added and left-over imports removed. */
  fix(i: number): Fix | undefined {
    const plan = this.planOf(i);
    if (!plan) return undefined;
    try {
      return { title: plan.title, safe: plan.safe, edits: materialize(this.ctx(), [plan]) };
    } catch (e) {
      if (e instanceof OverlapError) return undefined;
      throw e;
    }
  }

  /**
   * One pass of fix-all: the plans of the selected findings that do not overlap one another, as one edit list.
   * Overlapping ones (a fix inside another's range) are left for the next pass.
   */
  fixAllPass(select: (f: Finding) => boolean = () => true): { edits: OffsetEdit[]; applied: number } {
    const chosen: FixPlan[] = [];
    const taken: OffsetEdit[] = [];
    for (const it of this.internal) {
      const plan = this.planFor(it);
      if (!plan || !select(it.finding)) continue;
      const trial = [...taken, ...plan.edits];
      try {
        normalizeEdits(trial);
      } catch {
        continue;
      }
      // fixes that enclose an already chosen fix's finding are deferred too
      chosen.push(plan);
      taken.push(...plan.edits);
    }
    if (!chosen.length) return { edits: [], applied: 0 };
    for (let n = chosen.length; n > 0; n--) {
      try {
        return { edits: materialize(this.ctx(), chosen.slice(0, n)), applied: n };
      } catch (e) {
        if (!(e instanceof OverlapError)) throw e;
      }
    }
    return { edits: [], applied: 0 };
  }

  dispose() {
    if (this.ownsTree) this.tree.delete();
  }
}

/** The names of the function definitions among the nodes (decorated or not). */
function functionNamesOf(nodes: readonly Node[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const fn = n.type === 'decorated_definition' ? n.childForFieldName('definition') : n;
    const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
    if (name) out.push(name);
  }
  return out;
}

/** Whether one of the nodes holds [start, end]. */
function inSome(nodes: readonly Node[], start: number, end: number): boolean {
  for (const r of nodes) if (r.startIndex <= start && end <= r.endIndex) return true;
  return false;
}

/** One module-level binding as text: where it takes effect, and what it binds to what. */
export interface BindingSig {
  start: number;
  sig: string;
}

/** The module scope's bindings as text, per name, in order; '*': the star imports. */
export function moduleSignatures(bindings: Bindings): Map<string, BindingSig[]> {
  const snap = bindings.snapshot();
  const out = new Map<string, BindingSig[]>();
  for (const [name, list] of snap.names) out.set(name, list.map((b) => ({ start: b.start, sig: b.sig })));
  out.set('*', [{ start: 0, sig: snap.wildcards.join(',') }]);
  return out;
}

function parseWith(grammar: PythonGrammar, text: string) {
  const refused = parseRefusal(text);
  if (refused) throw new Error(`not analyzed: ${refused}`);
  try {
    return parserFor(grammar).parse(text);
  } catch (e) {
    // a parser whose wasm call failed (out of memory on tens of MB) returns empty trees from then on: replace it
    parsers.delete(grammar);
    throw e;
  }
}

export function analyze(grammar: PythonGrammar, text: string, opts: AnalyzeOptions, rules: readonly LoadedRule[], partial?: PartialRun): Analysis {
  const tree = opts.tree ?? parseWith(grammar, text);
  if (!tree) throw new Error('the Python parser returned no tree');
  return new Analysis(grammar, text, tree, opts, rules, partial);
}

/** The internals incremental.ts carries over from one analysis to the next. */
export function internalsOf(a: Analysis): CarriedFinding[] {
  // (the finding object itself: only its data fields are read from it; each record is new, the next analysis makes
  // it its internal entry: Analysis.carried)
  return (a as unknown as { internal: Internal[] }).internal.map((it, i) => ({ finding: it.finding, rule: it.rule, target: it.target, order: it.order, known: a.knownFix(i), start: it.finding.start, end: it.finding.end, range: undefined }));
}

/** Applies fix-all passes until nothing fixable is left (at most `maxPasses`). */
export function fixAllText(
  grammar: PythonGrammar,
  text: string,
  opts: Omit<AnalyzeOptions, 'tree'>,
  rules: readonly LoadedRule[],
  select?: (f: Finding) => boolean,
  maxPasses = 8,
): { text: string; applied: number; passes: number } {
  let cur = text;
  let applied = 0;
  let passes = 0;
  for (; passes < maxPasses; passes++) {
    const a = analyze(grammar, cur, opts, rules);
    try {
      const r = a.fixAllPass(select);
      if (!r.applied) break;
      const next = applyEdits(cur, r.edits);
      applied += r.applied;
      if (next === cur) break;
      cur = next;
    } finally {
      a.dispose();
    }
  }
  return { text: cur, applied, passes };
}
