// Open Python documents: their text, version and a tree-sitter Tree kept up to date incrementally.
// Each content change of a didChange is applied in order, as tree.edit() against the text as it was before that
// change (UTF-16 offsets; rows/columns counted as tree-sitter counts them, by '\n'), then the text is reparsed once
// with the edited old tree. Trees of closed documents are deleted.
import { Edit, type Parser } from 'web-tree-sitter';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { checkForParse, pointsAt, stringEnd, type Node, type PythonGrammar, type Tree, type Point } from '../parsing/python';
import { LineMap } from '../analysis/lineMap';

export interface Doc {
  uri: string;
  languageId: string;
  version: number;
  text: string;
  /** null only if the parser gave up (then analysis parses on its own) */
  tree: Tree | null;
  /** the text's revisions since open: what each didChange edited, for incremental analysis (analysis/incremental.ts) */
  log?: ChangeLog;
}

/** One didChange: its edits in order (each against the text the previous left) and the tree's changed ranges. */
export interface ChangeRecord {
  rev: number;
  edits: { start: number; oldEnd: number; newEnd: number }[];
  /** tree.getChangedRanges of the reparse, in the new text's offsets; undefined after a full replacement */
  ranges?: { startIndex: number; endIndex: number }[];
  /**
   * When the text had a syntax error and was reparsed from its last tree without one (DocumentStore `clean`): that
   * tree's revision, and the changed ranges against it (which stand for the ranges of the records after it).
   */
  base?: { rev: number; ranges: { startIndex: number; endIndex: number }[] };
}

export interface ChangeLog {
  /** revision of the current text (0 at open) */
  rev: number;
  /** the most recent records, oldest first */
  records: ChangeRecord[];
}

/** The point reached from `start` after inserting `inserted`. */
function advance(start: Point, inserted: string): Point {
  const last = inserted.lastIndexOf('\n');
  if (last === -1) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - last - 1 };
}

type TsNode = Tree['rootNode'];
/** Where two trees differ (type or span of a node), or undefined when they are the same. */
function firstDifference(a: TsNode, b: TsNode): string | undefined {
  if (a.type !== b.type || a.startIndex !== b.startIndex || a.endIndex !== b.endIndex || a.childCount !== b.childCount) {
    return `${a.type}@${a.startIndex}-${a.endIndex} vs ${b.type}@${b.startIndex}-${b.endIndex}`;
  }
  for (let i = 0; i < a.childCount; i++) {
    const d = firstDifference(a.child(i)!, b.child(i)!);
    if (d) return d;
  }
  return undefined;
}

/**
 * Where the last character of code before `at` is (white space and line breaks skipped), or `at` when only white
 * space precedes it. Told of a line inserted or removed between two statements, tree-sitter reuses the statement
 * that ends before it, unchanged, then re-reads the rest of the enclosing block, where the inserted line had to
 * extend that statement's block: in a class of 1,000 methods that is the rest of the class (a pasted line in
 * test_v3_auth.py: 20–60 ms of reparse, as much as a whole parse). With the statement's last character inside the
 * edit, the statement is parsed again and the ones after it reused: 1.6–4 ms (docs/performance.md step 36).
 */
export function lastCodeBefore(text: string, at: number): number {
  let i = at;
  for (; i > 0; i--) {
    const c = text.charCodeAt(i - 1);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) break;
  }
  return i > 0 ? i - 1 : at;
}

/**
 * Where the line an edit ends on ends (past its line break) when only spaces or tabs follow the edit there, else
 * `end`. Told of an edit that ends at a line's end, at the last line of a block, tree-sitter could lex the rest of
 * the file again after it: a space typed after `return x` and removed again at the end of a view of the 5,000-line
 * Flask module re-lexed 8,089 tokens (the zero-width line-end and dedent tokens there keep it from reusing what
 * follows). Told that the line break changed too (the same text, so the description stays exact), it reuses them.
 */
export function lineEndAfter(text: string, end: number): number {
  let i = end;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
  return text.charCodeAt(i) === 10 ? i + 1 : end;
}

/**
 * An edit replacing [start, end) of `text` with `inserted`, as tree-sitter is told of it: from the last character of
 * code before it (lastCodeBefore) and, when the rest of its line is blank, past its line break (lineEndAfter). Both
 * stretches are unchanged text, so the description stays exact.
 */
export function editFor(text: string, start: number, end: number, inserted: string): Edit {
  const from = lastCodeBefore(text, start);
  const through = lineEndAfter(text, end);
  const [fromPosition, startPosition, oldEndPosition] = pointsAt(text, [from, start, through]);
  return new Edit({
    startIndex: from,
    oldEndIndex: through,
    newEndIndex: start + inserted.length + (through - end),
    startPosition: fromPosition,
    oldEndPosition,
    newEndPosition: advance(startPosition, inserted + text.slice(end, through)),
  });
}

/** Past this many changes since a document's last tree without a syntax error, reparses no longer start from it. */
const MAX_CLEAN_EDITS = 128;
/** The change records a document keeps: an analysis older than that is made again whole (analysis/incremental.ts). */
const MAX_RECORDS = MAX_CLEAN_EDITS + 1;

/** How much of the text tree-sitter reads at a time when it parses a document. */
const READ_CHARS = 256;

/**
 * Text an edit may insert or delete without the whole-text check (parsing/python.ts checkForParse): no line break,
 * quote, comment sign, backslash or NUL, so strings, comments and lines stay where they were, and each character moves
 * one line's indentation or the bracket depth by at most one level.
 */
const STRUCTURE_KEEPING = /^[^\0"'#\\\r\n]{0,64}$/;

/**
 * Whether an edit replaces whole lines with whole lines that each close what they open (quotes, with no backslash or
 * triple quote), after a line that does not end in a backslash: then no string or comment around the edit changes,
 * and each line moves the indentation by at most one level, each bracket the depth by one (levelsMoved; a pasted or
 * deleted line: the whole-text check cost ≈ 1.3 ms of each in the benchmark's 5,000-line module).
 */
export function keepsStructureByLines(text: string, start: number, inserted: string, removed: string): boolean {
  if (start > 0 && text[start - 1] !== '\n') return false;
  const before = start >= 2 && text[start - 2] === '\r' ? start - 3 : start - 2;
  if (before >= 0 && text[before] === '\\') return false;
  return selfContainedLines(inserted) && selfContainedLines(removed);
}

/** What self-contained lines, pasted or removed, can add to the levels: one of indentation a line, one a bracket. */
function levelsMoved(lines: string): number {
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const c = lines.charCodeAt(i);
    if (c === 10 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125) n++;
  }
  return n;
}

/** Lines (each ending in a line break) whose strings all end on them: no NUL, backslash, lone CR or triple quote. */
function selfContainedLines(s: string): boolean {
  if (!s) return true;
  if (!s.endsWith('\n') || /[\0\\]|\r(?!\n)|'''|"""/.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '#') i = s.indexOf('\n', i);
    else if (c === '"' || c === "'") {
      // (read as checkForParse reads strings, stringEnd: an unclosed one ends at its line break)
      const end = stringEnd(s, i);
      if (end === undefined || end - 1 === i || s[end - 1] !== c) return false;
      i = end - 1;
    }
  }
  return true;
}

/** The largest node changedWithin answers with (characters). */
const CHANGED_WITHIN_MAX = 2_000;

/** A node's type and range. */
export interface NodeSpan {
  type: string;
  start: number;
  end: number;
}

/** The nodes of a tree that hold [start, end] (a syntax error: none), smallest first, up to the module's children. */
export function nodesHolding(tree: Tree, start: number, end: number): NodeSpan[] {
  const out: NodeSpan[] = [];
  if (tree.rootNode.hasError) return out;
  for (let n: Node | null = tree.rootNode.descendantForIndex(start, end); n && n.type !== 'module' && out.length < 16; n = n.parent) {
    if (n.startIndex <= start && n.endIndex >= end) out.push({ type: n.type, start: n.startIndex, end: n.endIndex });
  }
  return out;
}

/**
 * What a reparse after one edit changed, without comparing the two trees whole: the smallest node of the new tree
 * holding the edit that the old tree had, holding it too, with the same type and the same text around it (`held`:
 * the old tree's nodesHolding the edit, taken before it was told of the edit). The parse before such a node is the
 * same in both trees, it ends in the same state, and the text after it is the same: what changed lies in it.
 * (getChangedRanges walks every top-level statement: 0.5–0.8 ms of each keystroke in the 5,000-line Flask module.)
 * Undefined when a tree has a syntax error or no such node holds the edit below the module: then the trees are compared.
 */
export function changedWithin(held: readonly NodeSpan[], next: Tree, e: { start: number; oldEnd: number; newEnd: number }): { startIndex: number; endIndex: number }[] | undefined {
  if (!held.length || next.rootNode.hasError) return undefined;
  const d = e.newEnd - e.oldEnd;
  for (const n of nodesHolding(next, e.start, e.newEnd)) {
    // (a large node would make a large region: tree-sitter's own ranges are narrower there, and worth their walk — a
    // class of 1,000 methods was queried whole for a keystroke that changed its method's extent)
    if (n.end - n.start > CHANGED_WITHIN_MAX) return undefined;
    if (held.some((o) => o.type === n.type && o.start === n.start && o.end + d === n.end)) return [{ startIndex: n.start, endIndex: n.end }];
  }
  return undefined;
}

export class DocumentStore {
  private readonly docs = new Map<string, Doc>();
  private parser: Parser | undefined;

  constructor(
    private readonly grammar: PythonGrammar,
    /** when set, every incremental reparse is compared with a fresh parse (for tests) */
    private readonly verify?: (uri: string, problem: string) => void,
  ) {}

  /**
   * Texts longer than this are not parsed here (the service raises it to the largest frameworkPorter.maxFileSize it
   * has seen; larger documents are not analyzed): a 10 MB document would cost seconds per keystroke, and a parse
   * that runs out of wasm memory (tens of MB of deeply indented code) leaves its parser broken.
   */
  maxChars = 2_000_000;

  /**
   * Per document whose tree has a syntax error, the last tree without one, given every edit since. Tree-sitter's
   * error recovery can make the nodes after an error unlike the ones a valid text gives (a character typed into a
   * line's indentation ends the class there); from such a tree, the reparse that mends the error re-reads the rest
   * of the block, or of the file (test_v3_auth.py: 13–45 ms), where from the tree before the error it is local
   * (1.7–5.7 ms). Any earlier tree given the edits since is a valid base for tree-sitter.
   */
  private readonly clean = new Map<string, { tree: Tree; rev: number; edits: number }>();

  /** per document, the levels of indentation or brackets its text can still take (checkForParse) */
  private readonly headroom = new Map<string, number>();

  /** `spent`: what the edits since the last whole-text check can have used of the headroom (Infinity: check again) */
  private parse(uri: string, text: string, old?: Tree | null, spent = Infinity): Tree | null {
    if (text.length > this.maxChars) return null;
    const left = (this.headroom.get(uri) ?? 0) - spent;
    if (left > 0) this.headroom.set(uri, left);
    else {
      const check = checkForParse(text);
      this.headroom.set(uri, check.headroom);
      if (check.refusal) return null;
    }
    this.parser ??= this.grammar.newParser();
    try {
      // read in 256-character pieces: for a string, web-tree-sitter copies up to 5,000 characters into wasm memory on
      // each read, and an incremental reparse reads at many places (the 5,000-line Flask module of the benchmark:
      // reparse p50 1.7 → 1.3 ms); node.text joins pieces for a longer node
      return this.parser.parse((i) => text.slice(i, i + READ_CHARS), old ?? null);
    } catch {
      // a parser whose wasm call failed returns empty trees from then on: start over with a new one
      try {
        this.parser.delete();
      } catch {
        /* already unusable */
      }
      this.parser = undefined;
      return null;
    }
  }

  get(uri: string): Doc | undefined {
    return this.docs.get(uri);
  }

  all(): Doc[] {
    return [...this.docs.values()];
  }

  open(uri: string, languageId: string, version: number, text: string): Doc {
    this.close(uri);
    const doc: Doc = { uri, languageId, version, text, tree: this.parse(uri, text), log: { rev: 0, records: [] } };
    this.docs.set(uri, doc);
    return doc;
  }

  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): Doc | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    let { text, tree } = doc;
    let full = false;
    const base = this.clean.get(uri);
    // the whole-text check (checkForParse) is skipped while edits that keep strings, comments and lines where they
    // were fit in the text's headroom
    let spent = tree ? 0 : Infinity;
    const edits: ChangeRecord['edits'] = [];
    // (each text's line map is made from the one before: the analysis asks for the last one)
    let lines: LineMap | undefined;
    let held: NodeSpan[] | undefined;
    for (const c of changes) {
      if (!('range' in c) || !c.range) {
        text = c.text;
        full = true;
        lines = undefined;
        continue;
      }
      lines ??= LineMap.of(text);
      const start = lines.offset(c.range.start);
      const end = Math.max(start, lines.offset(c.range.end));
      // (the old tree's nodes around a lone edit, before it is told of it: changedWithin)
      if (tree && !full && changes.length === 1) held = nodesHolding(tree, start, end);
      if (tree && !full) {
        const edit = editFor(text, start, end, c.text);
        tree.edit(edit);
        base?.tree.edit(edit);
      }
      const removed = text.slice(start, end);
      if (STRUCTURE_KEEPING.test(c.text) && STRUCTURE_KEEPING.test(removed)) spent += c.text.length + removed.length;
      else if (keepsStructureByLines(text, start, c.text, removed)) spent += levelsMoved(c.text) + levelsMoved(removed);
      else spent = Infinity;
      edits.push({ start, oldEnd: end, newEnd: start + c.text.length });
      text = text.slice(0, start) + c.text + text.slice(end);
      lines = lines.edited(start, end, c.text, text);
    }
    // a tree with errors is reparsed from the last one without (see `clean`)
    const old = full ? null : tree?.rootNode.hasError && base ? base.tree : tree;
    const next = this.parse(uri, text, old, full ? Infinity : spent);
    const log = (doc.log ??= { rev: 0, records: [] });
    log.rev++;
    const spans = (t: Tree) => t.getChangedRanges(next!).map((r) => ({ startIndex: r.startIndex, endIndex: r.endIndex }));
    const changed = (t: Tree) => (held && edits.length === 1 && changedWithin(held, next!, edits[0])) || spans(t);
    log.records.push({ rev: log.rev, edits, ranges: !full && tree && next ? changed(tree) : undefined, base: base && next && old === base.tree ? { rev: base.rev, ranges: spans(base.tree) } : undefined });
    if (log.records.length > MAX_RECORDS) log.records.shift();
    if (base) base.edits += changes.length;
    if (next?.rootNode.hasError && !full && (base ? base.edits <= MAX_CLEAN_EDITS : tree && !tree.rootNode.hasError)) {
      // the text has an error now: the last tree without one stays (edited along) for the reparses until it is mended
      if (!base) {
        this.clean.set(uri, { tree: tree!, rev: log.rev - 1, edits: 0 });
        tree = null;
      }
    } else this.dropClean(uri);
    tree?.delete();
    doc.text = text;
    doc.version = version;
    doc.tree = next;
    if (this.verify && next && !full) {
      const fresh = this.parse(uri, text);
      const diff = fresh ? firstDifference(fresh.rootNode, next.rootNode) : undefined;
      if (diff) this.verify(uri, `incremental tree differs from a fresh parse at version ${version}: ${diff}`);
      fresh?.delete();
    }
    return doc;
  }

  private dropClean(uri: string) {
    this.clean.get(uri)?.tree.delete();
    this.clean.delete(uri);
  }

  close(uri: string) {
    const doc = this.docs.get(uri);
    if (!doc) return;
    this.dropClean(uri);
    doc.tree?.delete();
    doc.tree = null;
    this.docs.delete(uri);
    this.headroom.delete(uri);
  }

  dispose() {
    for (const uri of [...this.docs.keys()]) this.close(uri);
    this.parser?.delete();
  }
}
