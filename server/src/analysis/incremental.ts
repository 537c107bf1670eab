// Incremental analysis of an edited document (the language server's didChange path): the findings of the previous
// analysis outside the edited top-level statements are kept (moved to the new offsets), and the rules' queries run
// only over the edited statements. The result equals a full analysis (test/unit/incremental.test.ts); whenever that
// cannot be shown cheaply it *is* a full analysis: an edited import statement, module-level bindings that differ
// (name, kind, imported module/name, assigned value, class bases, star imports), more than MAX_ROOTS
// statements touched (or half the text), a change of the port markers or a marker inside an edited statement, a module-level function
// whose returns now resolve differently (it may be an app factory), other settings, path or index, or a lost log.
import type { ChangeRecord, Doc } from '../lsp/documents';
import type { Node } from '../parsing/python';
import type { PythonGrammar } from '../parsing/python';
import { Bindings, moveThrough, snapshotNames, dependencyNodes, dependencySpans, isReference, type Binding, type Scope } from './bindings';
import { moduleNameFor } from './moduleIndex';
import { analyze, countOccurrences, internalsOf, moduleSignatures, overlaps as sharesText, type Analysis, type AnalyzeOptions, type BindingSig, type PartialRun } from './engine';
import { LineMap } from './lineMap';
import { nameCharBefore, wordsRe } from './words';
import { markersAfterEdit, scanMarkers } from './markers';
import type { ModuleIndex } from './moduleIndex';
import type { LoadedRule } from './rule';

/**
 * Past this many statements to re-query, or this share of the text, a full analysis costs about as much: do one.
 * (A partial run walks one combined query per statement; its cost follows the bytes it covers.)
 */
export const MAX_ROOTS = 64;
/**
 * Past this many module-level statements touched by an edit, the module level is collected again whole. (An error
 * that lets a function's body out to the module level touches a statement per line of it: 8 collected the Flask
 * module's 1,300 bindings again for a `c` typed before a body's line, 19 → 16 ms.)
 */
const RECOLLECT_MAX = 32;
export const MAX_ROOT_SHARE = 0.5;

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

/** The statements the last incremental analysis queried again (empty after a full one): for tests and the bench. */
export let lastRoots: readonly { start: number; end: number }[] = [];

function metaOf(doc: Doc, opts: AnalyzeOptions, rules: readonly LoadedRule[]): Meta {
  return { rev: doc.log?.rev ?? -1, text: doc.text, key: JSON.stringify([opts.settings, opts.path ?? '']), index: opts.index, indexVersion: opts.index?.version ?? 0, rules };
}

function full(grammar: PythonGrammar, doc: Doc, opts: AnalyzeOptions, rules: readonly LoadedRule[], why: string): Analysis {
  lastFallback = why;
  lastRoots = [];
  const a = analyze(grammar, doc.text, { ...opts, tree: doc.tree ?? undefined }, rules);
  void a.moduleSignatureByName; // now, while its tree is alive: the next edit deletes it
  metas.set(a, metaOf(doc, opts, rules));
  return a;
}

/**
 * The analysis of a document as it is now, made incrementally from `prev` (the analysis of an earlier revision of
 * the same document, same settings and index) when the edits since allow it. The caller keeps ownership of the tree.
 */
export function analyzeDocument(grammar: PythonGrammar, doc: Doc, opts: Omit<AnalyzeOptions, 'tree'>, rules: readonly LoadedRule[], prev?: Analysis): Analysis {
  const valid = !!doc.tree && !doc.tree.rootNode.hasError;
  // a text whose syntax error was just mended: from the analysis before the error, when the tree was reparsed from
  // that one's (documents.ts `clean`): an error can change the tree to the end of the file, the mend as much again
  const before = valid ? lastValid.get(doc) : undefined;
  const from = before && before !== prev && reparsedFrom(doc, before) ? before : prev;
  let a: Analysis;
  try {
    a = incrementally(grammar, doc, opts, rules, from);
  } catch (e) {
    // a carried-over binding whose node is not in the new tree (or any other surprise of the shortcut) costs a full
    // analysis, never the diagnostics; a full analysis that throws reports as it always did
    if (!from || !metas.get(from) || !doc.tree || !doc.log) throw e;
    a = full(grammar, doc, opts, rules, `incremental analysis failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (valid) lastValid.set(doc, a);
  return a;
}

/** Per document, its last analysis of a tree without a syntax error (kept while the text has one). */
const lastValid = new WeakMap<Doc, Analysis>();

/** Whether a change since `a` reparsed the text from a tree of `a`'s revision or later. */
function reparsedFrom(doc: Doc, a: Analysis): boolean {
  const rev = metas.get(a)?.rev;
  return rev !== undefined && !!doc.log && !!lastReparsedFrom(doc.log.records, rev);
}

/** The last change record after revision `rev` whose reparse started from a tree of `rev` or later (documents.ts `clean`). */
function lastReparsedFrom(records: readonly ChangeRecord[], rev: number): ChangeRecord | undefined {
  for (let i = records.length - 1; i >= 0 && records[i].rev > rev; i--) {
    const base = records[i].base;
    if (base && base.rev >= rev) return records[i];
  }
  return undefined;
}

function incrementally(grammar: PythonGrammar, doc: Doc, opts: Omit<AnalyzeOptions, 'tree'>, rules: readonly LoadedRule[], prev?: Analysis): Analysis {
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
  // (a reparse from an earlier tree, documents.ts `clean`, gives the ranges changed since that one: they stand for
  // the ranges of the records between)
  const via = lastReparsedFrom(recs, meta.rev);
  let regions: [number, number][] = [];
  for (const r of recs) {
    for (const e of r.edits) {
      const d = e.newEnd - e.oldEnd;
      regions = regions.map(([s, t]) => [s >= e.oldEnd ? s + d : Math.min(s, e.start), t >= e.oldEnd ? t + d : t >= e.start ? e.newEnd : t]);
      regions.push([e.start, e.newEnd]);
    }
    if (via && r.rev > via.base!.rev && r.rev < via.rev) continue;
    for (const cr of r === via ? via.base!.ranges : r.ranges!) regions.push([cr.startIndex, cr.endIndex]);
  }

  // the statements they touch: the innermost function whose body holds a region (with its decorators), else the
  // top-level statement (a region of whitespace between top-level statements touches none)
  const root = tree.rootNode;
  const text = doc.text;
  const calls = new Calls(text);
  const affected = new Map<number, Node>();
  const topOf = new Map<Node, Node>();
  for (const [s, e] of regions) {
    for (const st of statementsIn(root, s, e)) {
      for (const r of unitsOf(st, Math.max(s, st.startIndex), Math.min(e, st.endIndex), calls)) {
        affected.set(r.startIndex, r);
        topOf.set(r, st);
      }
    }
    if (affected.size > MAX_ROOTS * 4) return full(grammar, doc, opts, rules, 'too many statements');
  }

  // markers: the same ones, none inside an edited statement
  // (after one edit, read again on the lines it touched only)
  const lines = LineMap.of(text);
  const one = recs.length === 1 && recs[0].edits.length === 1 ? recs[0].edits[0] : undefined;
  const markers = one ? markersAfterEdit(prev.markers, one, text, lines, lines.lineCount - prev.lines.lineCount) : scanMarkers(text, lines);
  const old = prev.markers;
  if (markers.length !== old.length || markers.some((m, i) => m.kind !== old[i].kind || m.rule !== old[i].rule || m.text !== old[i].text)) return full(grammar, doc, opts, rules, 'markers changed');

  // where an offset of the previous text is now (undefined: inside an edit)
  const edits = recs.flatMap((r) => r.edits);
  const move = (x: number) => moveThrough(edits, x);

  // the module-level bindings: names bound differently (and the names whose bindings mention them) widen the
  // statements to re-query to every top-level statement that mentions one of them
  // (edits only inside the bodies of module-level definitions leave the module level as it was: carried over)
  const mod = moduleNameFor(opts.path ?? '');
  const inBodies = regions.every(([s, e]) => {
    const st = statementAt(root, s);
    return !!st && st.parent?.type === 'module' && bodyHolds(st, s, e);
  });
  // (else the module-level statements an edit touches are collected again and the others carried: a few of them)
  let recollect: Node[] | undefined;
  if (!inBodies) {
    const touched = new Map<number, Node>();
    for (const [s, e] of regions) for (const st of statementsIn(root, s, e, false)) touched.set(st.startIndex, st);
    recollect = touched.size > RECOLLECT_MAX ? undefined : [...touched.values()].sort((a, b) => a.startIndex - b.startIndex);
  }
  const edited = (start: number, end: number) => regions.some(([s, e]) => s <= end && e >= start);
  const carry = inBodies || recollect ? { snapshot: prev.bindings.snapshot(), edits, recollect, edited } : undefined;
  const bindings = new Bindings(tree, text, opts.path ? mod.name : '', opts.index, opts.path ? mod.isPackage : false, carry);
  const changes = new Map<string, NameChange>();
  // (a module level carried over whole binds every name as before: nothing to compare; the Flask module's 1,300
  // bindings were compared on every keystroke in a function body)
  // (a module level carried over in part binds every other name as before, moved: only the names of the statements
  // collected again are compared, from the snapshots; 1,300 bindings were compared at each edit of a top-level line)
  const touched = bindings.carried && !bindings.carriedWhole ? bindings.recollectedNames : undefined;
  const sigs = bindings.carriedWhole || touched ? undefined : moduleSignatures(bindings);
  let compared: { names: Iterable<string>; then: (name: string) => readonly BindingSig[]; now: (name: string) => readonly BindingSig[] } | undefined;
  if (touched) {
    const now = bindings.snapshot();
    const then = prev.bindings.snapshot();
    if (now.wildcards.join(',') !== then.wildcards.join(',')) return full(grammar, doc, opts, rules, 'star imports changed');
    const [a, b] = [snapshotNames(now), snapshotNames(then)];
    compared = { names: touched, then: (n) => b.get(n) ?? [], now: (n) => a.get(n) ?? [] };
  } else if (sigs) {
    const before = prev.moduleSignatureByName;
    if (sigs.get('*')![0].sig !== before.get('*')?.[0]?.sig) return full(grammar, doc, opts, rules, 'star imports changed');
    const names = new Set([...sigs.keys(), ...before.keys()]);
    names.delete('*');
    compared = { names, then: (n) => before.get(n) ?? [], now: (n) => sigs.get(n) ?? [] };
  }
  if (compared) for (const name of compared.names) {
    const moved: BindingSig[] = [];
    let lost = false; // a binding that took effect inside an edit: changed everywhere
    for (const b of compared.then(name)) {
      const at = move(b.start);
      if (at === undefined) lost = true;
      else moved.push({ start: at, sig: b.sig });
    }
    const c = lost ? { spans: [[0, Infinity]] as [number, number][], last: true } : nameChange(moved, compared.now(name));
    if (c) changes.set(name, c);
  }
  if (changes.size) {
    // a binding whose statement mentions a changed name where it changed resolves differently too (a function's
    // body through the name's last binding, and only when the function is called: a factory)
    let anyLast = [...changes.values()].some((c) => c.last);
    for (let grew = true; grew; ) {
      grew = false;
      const re = wordsRe(changes.keys());
      // (every module-level function is asked whether it is called once a last binding changed)
      if (anyLast) calls.many();
      for (const [name, list] of bindings.module.bindings) {
        list.forEach((b, i) => {
          // (a function's body reads a name's last binding only: while none changed, no function is hit, and whether
          // it is called, a search of the whole text, is not asked)
          // (and only when it is called: asked first, as a def's dependency is its whole text — the Flask module's 700
          // views were read and searched whole for each error that bound a name at module level, ≈ 1 ms)
          if (b.kind === 'def' && (!anyLast || !calls.has(b.name))) return;
          // (read by offsets: a carried-over binding's nodes are not looked for in the tree)
          const dep = dependencySpans(b).map(({ start, end }) => text.slice(start, end)).join(' ');
          if (!dep || !re.test(dep)) return;
          const from = b.start;
          const to = list[i + 1]?.start ?? Infinity;
          // (a word in a string literal is no reference: the names come from the identifiers of the tree)
          const names = identifiersIn(b);
          const hit = [...changes].some(([n, c]) => (b.kind === 'def' ? c.last : overlaps(c, b.stmt ?? b.def!)) && names.has(n));
          if (!hit) return;
          const c = changes.get(name) ?? { spans: [], last: false };
          if (c.spans.some(([s, e]) => s <= from && to <= e) && (c.last || i < list.length - 1)) return;
          c.spans.push([from, to]);
          if (i === list.length - 1) anyLast = c.last = true;
          changes.set(name, c);
          grew = true;
        });
      }
    }
    // the code to re-query: every reference to a changed name that resolves where it changed (module-level code
    // in a changed span; any function body when its last binding changed), in its unit (unitsOf)
    const re = wordsRe(changes.keys(), { notAttribute: true, flags: 'g' });
    // (an occurrence inside code already to re-query adds nothing: the unit it would add is that code or lies in it;
    // `post` bound at module level by a paste was looked at in the tree 677 times, once per occurrence, ≈ 3 ms)
    const covered: [number, number][] = [];
    const cover = (r: Node) => {
      const span = coverOf(r, topOf.get(r) === r);
      if (span) covered.push(span);
    };
    for (const r of affected.values()) cover(r);
    for (const m of text.matchAll(re)) {
      const x = m.index!;
      const end = x + m[0].length;
      const c = changes.get(m[0])!;
      // (outside the spans where a name changed only a function body can see its last binding: none here)
      if (!c.last && !c.spans.some(([from, to]) => from <= x && x < to)) continue;
      if (covered.some(([from, to]) => from < x && end < to)) continue;
      // (a name the function around it binds is local there: known from the offsets, before any node is made — a
      // name bound anew at module level, as an error can, is met in every function that has a local of that name)
      // (known without collecting the function when an earlier analysis collected it and no edit touched it since:
      // a paste that bound `post` at module level collected the 300 views that read a `post`, ≈ 15 ms, at each edit)
      if (bindings.bindsLocally(x, m[0])) continue;
      const st = statementAt(root, x);
      if (!st) continue;
      // (a word in a string or a comment is passed over before its function is collected: `url_for("posts.index")`
      // in every view collected each view for an error that bound `posts` at module level, ≈ 3 ms)
      const id = tree.rootNode.descendantForIndex(x, end);
      if (id?.type !== 'identifier' || id.startIndex !== x || id.endIndex !== end) continue; // in a string or comment
      const around = bindings.scopeAtOffset(x, end);
      if (around?.kind === 'function' && around.bindings.has(m[0])) continue;
      // (a name that reads nothing, as a keyword argument's, is passed over: `render_template("i.html",
      // posts=page.items)` does not read `posts`; a module-level `posts` appearing in an error re-queried every view
      // passing one)
      if (!isReference(id)) continue;
      const scope = bindings.scopeOf(id);
      const b = bindings.lookupNode(id);
      if (b && b.scope.kind !== 'module') continue; // a local name
      if (!c.last && (inFunction(scope) || !c.spans.some(([from, to]) => from <= x && x < to))) continue;
      for (const r of unitsOf(st, x, end, calls)) {
        affected.set(r.startIndex, r);
        topOf.set(r, st);
        cover(r);
      }
      if (affected.size > MAX_ROOTS * 4) return full(grammar, doc, opts, rules, `module-level bindings changed: ${[...changes.keys()].slice(0, 3).join(',')}`);
    }
  }
  // a root inside another root is covered by it
  let roots = [...affected.values()].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  roots = roots.filter((r, i) => !roots.some((o, j) => j !== i && o.startIndex <= r.startIndex && r.endIndex <= o.endIndex && (o.startIndex !== r.startIndex || o.endIndex !== r.endIndex || j < i)));
  if (markers.some((m) => roots.some((r) => m.start <= r.endIndex && m.end >= r.startIndex))) return full(grammar, doc, opts, rules, 'marker in an edited statement');

  // the previous findings outside the edited statements, moved
  // (a finding touching an edit lies in an edited statement: it is dropped below, whatever this gives it)
  // (a finding that ends before the first edit keeps its range: the text up to it is the same)
  let firstEdit = Infinity;
  for (const e of edits) firstEdit = Math.min(firstEdit, e.start);
  // (after one edit, a finding starting past the line the edit ends on keeps its characters, and its lines move by
  // the lines the edit added or removed: no line lookup, and no new range when there are none)
  const lineShift = oneEditLineShift(one, prev.lines, lines);
  const carried: PartialRun['kept'] = [];
  for (const k of internalsOf(prev)) {
    if (k.end <= firstEdit) {
      k.range = k.finding.range;
      carried.push(k);
      continue;
    }
    const s = move(k.start);
    const e = move(k.end);
    if (s === undefined || e === undefined) continue;
    k.start = s;
    k.end = e;
    if (lineShift && s >= lineShift.from) {
      const r = k.finding.range;
      const d = lineShift.lines;
      k.range = d === 0 ? r : { start: { line: r.start.line + d, character: r.start.character }, end: { line: r.end.line + d, character: r.end.character } };
    }
    carried.push(k);
  }
  const longest = carried.reduce((n, k) => Math.max(n, k.end - k.start), 0);
  // a previous finding across a narrowed root's boundary: query the whole top-level statement instead
  // (roots are disjoint and sorted here)
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i];
    const st = topOf.get(r);
    if (!st || st === r) continue;
    if (touching(carried, r.startIndex, r.endIndex, longest).some(({ start: s, end: e }) => s < r.startIndex || e > r.endIndex)) roots[i] = st;
  }
  roots = [...new Map(roots.map((r) => [r.startIndex, r])).values()].sort((a, b) => a.startIndex - b.startIndex);
  roots = roots.filter((r, i) => !roots.some((o, j) => j !== i && o.startIndex <= r.startIndex && r.endIndex <= o.endIndex && (o.endIndex - o.startIndex > r.endIndex - r.startIndex)));
  if (roots.length > MAX_ROOTS || roots.reduce((n, r) => n + r.endIndex - r.startIndex, 0) > MAX_ROOT_SHARE * text.length) return full(grammar, doc, opts, rules, 'too many statements');
  const dropped = new Set(roots.flatMap((r) => touching(carried, r.startIndex, r.endIndex, longest)));
  // a finding in a changed region that no root covers is gone: tree-sitter can leave text outside every statement (the
  // rest of a file after an unclosed string); where a statement is, a root covers it and re-finds what is still there
  for (const [s, e] of regions) for (const k of touching(carried, s, e, longest)) dropped.add(k);
  const kept = carried.filter((k) => !dropped.has(k));

  const partial: PartialRun = {
    roots,
    kept,
    topReturns: prev.topReturns,
    full: fullAnalysisOf(grammar, text, { ...opts, tree }, rules),
    bindings,
    markers,
    needleCounts: countsAfter(prev.needleCounts, prev.text, text, recs),
    signatures: sigs,
  };
  const a = analyze(grammar, doc.text, { ...opts, tree }, rules, partial);
  // the module level as offsets, now, while the tree is alive (the next edit deletes it); its signatures are made from
  // that when the next edit compares them (a module level carried over whole has it already, and an edit in a
  // function body does not compare: the Flask module's 1,300 were made on every keystroke)
  void a.bindings.snapshot();
  // a function whose returns resolve differently may be an app factory: only when it is called here does that
  // change a finding of this file (what other files see of it goes through the index)
  for (const [k, v] of a.topReturns) {
    if (prev.topReturns.get(k) !== v && calls.has(k.slice(0, k.lastIndexOf('#')))) {
      a.dispose();
      return full(grammar, doc, opts, rules, `returns of ${k} changed`);
    }
  }
  lastFallback = '';
  lastRoots = roots.map((r) => ({ start: r.startIndex, end: r.endIndex }));
  metas.set(a, now);
  return a;
}

/**
 * The module's statements that share a point with [s, e]: its named children, where a top-level ERROR (an unclosed
 * bracket can swallow the rest of the file into one) stands for the nodes it holds, so an edit re-queries the
 * statement it touches, not the ERROR. Found from s on: a module of 1,000 statements made a node of each per edit.
 */
export function statementsIn(parent: Node, s: number, e: number, flattenErrors = true, out: Node[] = []): Node[] {
  const take = (c: Node) => {
    if (flattenErrors && c.type === 'ERROR') statementsIn(c, s, e, true, out);
    else out.push(c);
  };
  // the first named child ending after s - 1 (one ending at s touches the span too), then its siblings; tree-sitter
  // may answer with a grandchild (through an unnamed child, as in an ERROR): then every child is looked at
  const first = parent.type === 'module' ? parent.firstNamedChildForIndex(Math.max(0, s - 1)) : null;
  if (first && first.parent?.id === parent.id) {
    for (let c: Node | null = first; c && c.startIndex <= e; c = c.nextNamedSibling) if (c.endIndex >= s) take(c);
    return out;
  }
  for (const c of parent.namedChildren) {
    if (!c || c.endIndex < s) continue;
    if (c.startIndex > e) break;
    take(c);
  }
  return out;
}

/**
 * A full analysis of the same tree, made on first use. Made out here: a closure made in analyzeDocument would keep
 * that call's whole scope alive, and through it the previous analysis, and its previous one, and so on.
 */
function fullAnalysisOf(grammar: PythonGrammar, text: string, opts: AnalyzeOptions, rules: readonly LoadedRule[]): () => Analysis {
  let memo: Analysis | undefined;
  return () => (memo ??= analyze(grammar, text, opts, rules));
}

/**
 * For a single edit, from the line maps of the text before and after it: where the first line after the one the edit
 * ends on starts (new offsets), and how many lines the edit added (negative: removed). Every line start from there
 * on is read off text the edit left alone (the character before it too), so they pair up one to one with the old
 * text's last ones, whatever CR, LF or CRLF the edit joined or split.
 */
function oneEditLineShift(one: { newEnd: number } | undefined, before: LineMap, after: LineMap): { from: number; lines: number } | undefined {
  if (!one) return undefined;
  const next = after.lineOf(one.newEnd) + 1;
  return { from: next < after.lineCount ? after.lineStart(next) : Infinity, lines: after.lineCount - before.lineCount };
}

/**
 * The needles' counts in the new text from those in the old one: the edits leave a common prefix and suffix, so
 * only occurrences starting in the changed middle (or less than a needle's length before it) can differ.
 */
function countsAfter(before: Map<string, number>, oldText: string, newText: string, recs: { edits: { start: number; oldEnd: number; newEnd: number }[] }[]): Map<string, number> {
  let prefix = Infinity;
  let suffix = Infinity;
  let len = oldText.length;
  for (const r of recs) {
    for (const e of r.edits) {
      prefix = Math.min(prefix, e.start);
      suffix = Math.min(suffix, len - e.oldEnd);
      len += e.newEnd - e.oldEnd;
    }
  }
  suffix = Math.max(0, Math.min(suffix, oldText.length, newText.length));
  prefix = Math.max(0, Math.min(prefix, oldText.length - suffix, newText.length - suffix));
  const out = new Map<string, number>();
  for (const [n, k] of before) {
    const from = Math.max(0, prefix - n.length + 1);
    const count = (t: string) => countOccurrences(t.slice(from, Math.min(t.length, t.length - suffix + n.length - 1)), n);
    out.set(n, k - count(oldText) + count(newText));
  }
  return out;
}

/** Where a module-level name resolves differently now: offset spans (module-level code), and function bodies. */
interface NameChange {
  /** [from, to) where module-level code sees another binding (or none) */
  spans: [number, number][];
  /** the last binding differs: what every function body sees */
  last: boolean;
}

/**
 * How a name's module-level bindings (before: moved to the current offsets) differ: module-level code at offset x
 * sees the last binding starting at or before x, a function body sees the last one (bindings.ts lookup).
 */
function nameChange(before: readonly BindingSig[], now: readonly BindingSig[]): NameChange | undefined {
  if (before.length === now.length && before.every((b, i) => b.start === now[i].start && b.sig === now[i].sig)) return undefined;
  const seenAt = (list: readonly BindingSig[], x: number) => {
    let sig: string | undefined;
    for (const b of list) if (b.start <= x) sig = b.sig;
    return sig;
  };
  const points = [...new Set([...before, ...now].map((b) => b.start))].sort((a, b) => a - b);
  const spans: [number, number][] = [];
  points.forEach((p, i) => {
    if (seenAt(before, p) === seenAt(now, p)) return;
    const to = points[i + 1] ?? Infinity;
    const last = spans[spans.length - 1];
    if (last && last[1] === p) last[1] = to;
    else spans.push([p, to]);
  });
  return { spans, last: before[before.length - 1]?.sig !== now[now.length - 1]?.sig };
}

/** Whether code in node n may see the name where it changed (module-level code in n lies in a changed span). */
function overlaps(c: NameChange, n: Node): boolean {
  return c.spans.some(([from, to]) => n.startIndex < to && from <= n.endIndex);
}

/**
 * The carried findings (sorted by start) sharing text with node r: a binary search for the first that may (one starting at
 * most the longest finding's length before r), then a scan while they start before r ends.
 */
function touching(carried: PartialRun['kept'], rs: number, re: number, longest: number): PartialRun['kept'] {
  let lo = 0;
  let hi = carried.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (carried[mid].start < rs - longest) lo = mid + 1;
    else hi = mid;
  }
  const out: PartialRun['kept'] = [];
  for (let i = lo; i < carried.length && carried[i].start <= re; i++) if (sharesText(carried[i].start, carried[i].end, rs, re)) out.push(carried[i]);
  return out;
}

/** Whether [s, e] lies strictly inside the body of a definition (function or class) that is statement st. */
function bodyHolds(st: Node, s: number, e: number): boolean {
  const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
  if (def?.type !== 'function_definition' && def?.type !== 'class_definition') return false;
  const body = def.childForFieldName('body');
  return !!body && body.startIndex < s && e < body.endIndex;
}

/** The statement (of statementsIn) holding offset x: one that holds it strictly before one that ends at it. */
function statementAt(root: Node, x: number): Node | undefined {
  const at = statementsIn(root, x, x);
  return at.find((st) => st.startIndex <= x && x < st.endIndex) ?? at[0];
}

/** Whether names looked up from this scope see a module-level name's last binding (bindings.ts lookup). */
function inFunction(scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.kind === 'function') return true;
  return false;
}

/**
 * Whether `name(` occurs in a text anywhere other than a `def name(`: a call (or something that may be one). An
 * attribute call (`self.name(`) is not one: Bindings resolves only a bare name's call through the function's
 * returns. A few names are looked up by searching for each; past that (a module-level binding changed, and every
 * function that names it asks) one pass collects every called name.
 */
export class Calls {
  private asked = 0;
  private names: Set<string> | undefined;
  constructor(readonly text: string) {}

  /** Finds every called name now: many are to be asked (each search for one name reads the rest of the text). */
  many(): this {
    this.names ??= calledNames(this.text);
    return this;
  }

  has(name: string): boolean {
    if (this.names) return this.names.has(name);
    if (++this.asked > 8) return this.many().has(name);
    const text = this.text;
    // indexOf, then the boundaries by hand: a regular expression with a lookbehind over the whole text cost more
    for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
      if (i > 0 && /[\p{L}\p{N}_.]/u.test(text[i - 1])) continue;
      let j = i + name.length;
      if (j < text.length && /[\p{L}\p{N}_]/u.test(text[j])) continue;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] !== '(') continue;
      if (!/\bdef\s+$/.test(text.slice(Math.max(0, i - 16), i))) return true;
    }
    return false;
  }
}

/**
 * Every name that Calls.has would find called, in one pass: from each `(` back over the spaces and the name before it
 * (a regular expression for `name\s*\(` over the whole text, as this was, took 2.4 ms of the Flask module's edits
 * that change a module-level name).
 */
export function calledNames(text: string): Set<string> {
  const out = new Set<string>();
  for (let k = text.indexOf('('); k >= 0; k = text.indexOf('(', k + 1)) {
    let end = k;
    while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
    let i = end;
    for (let w = nameCharBefore(text, i); w; w = nameCharBefore(text, i)) i -= w;
    // (the name starts at the run's first letter or `_`, and is none after a name character or a dot: `1abc(`)
    while (i < end && !NAME_START.test(String.fromCodePoint(text.codePointAt(i)!))) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    if (i === end || (i > 0 && /[\p{L}\p{N}_.]/u.test(text[i - 1]))) continue;
    if (/\bdef\s+$/.test(text.slice(Math.max(0, i - 16), i))) continue;
    out.add(text.slice(i, end));
  }
  return out;
}

const NAME_START = /^[\p{L}_]$/u;

/** Whether a UTF-16 unit is white space as `\s` says. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}


/**
 * The nodes to re-query for a change [s, e] inside statement st: in a class whose header it leaves alone, the
 * statements of its body it touches (each narrowed in turn: a class's methods are its bulk), else narrowest().
 * A method called by its bare name (from the class body: its returns may matter there) keeps the whole class.
 */
function unitsOf(st: Node, s: number, e: number, calls: Calls): Node[] {
  const cls = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
  const body = cls?.type === 'class_definition' ? cls.childForFieldName('body') : null;
  if (!body || s <= body.startIndex || e > body.endIndex) return [narrowest(st, s, e, calls)];
  const out: Node[] = [];
  for (const c of body.namedChildren) {
    if (!c || c.endIndex < s) continue;
    if (c.startIndex > e) break;
    const fn = c.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
    const name = fn?.type === 'function_definition' ? fn.childForFieldName('name') : null;
    if (name && calls.has(name.text)) return [st];
    out.push(...unitsOf(c, Math.max(s, c.startIndex), Math.min(e, c.endIndex), calls));
  }
  return out;
}

/**
 * Where a change [s, e] that lies strictly inside gives a unit to re-query that is `r` or lies in it (unitsOf): a
 * statement of the module (statementsIn) whole, a function's body.
 */
function coverOf(r: Node, isStatement: boolean): [number, number] | undefined {
  if (isStatement) return [r.startIndex, r.endIndex];
  const fn = r.type === 'decorated_definition' ? r.childForFieldName('definition') : r;
  const body = fn?.type === 'function_definition' ? fn.childForFieldName('body') : null;
  return body ? [body.startIndex, body.endIndex] : undefined;
}

/**
 * The node to re-query for a change [s, e] inside top-level statement st: the innermost function whose body holds
 * it strictly (with its decorators; none that is called in this file: its returns may make a factory), else st.
 */
function narrowest(st: Node, s: number, e: number, calls: Calls): Node {
  let best: Node = st;
  let node: Node | null = st;
  let parent: Node | null = null;
  while (node) {
    if (node.type === 'function_definition') {
      const body = node.childForFieldName('body');
      const name = node.childForFieldName('name');
      if (body && name && body.startIndex < s && e < body.endIndex && !calls.has(name.text)) {
        best = parent?.type === 'decorated_definition' ? parent : node;
      }
    }
    let next: Node | null = null;
    for (const c of node.namedChildren) {
      if (!c || c.endIndex < s) continue;
      if (c.startIndex > e) break;
      if (c.startIndex <= s && e <= c.endIndex) next = c;
      break;
    }
    parent = node;
    node = next;
  }
  return best;
}

/** The identifiers in the nodes a binding depends on (dependencyNodes). */
function identifiersIn(b: Binding): Set<string> {
  const out = new Set<string>();
  for (const n of dependencyNodes(b)) {
    if (n.type === 'identifier') out.add(n.text);
    for (const id of n.descendantsOfType('identifier')) if (id) out.add(id.text);
  }
  return out;
}
