// The workspace scan parses a large file only in part: the top-level statements that import something, and those
// that name a name that may be bound to a framework object (frameworkNames.ts), to a fixpoint. The others cannot
// hold a finding, nor change what a name of the chosen ones resolves to (a statement that binds such a name names
// it, so it is chosen). Tree-sitter parses the chosen statements' ranges as one text, at their own offsets.
// Anything unexpected (a text that ends inside a string or bracket, a parse with errors, a statement across two
// ranges, a star import) parses the whole text, as does a choice of more than half of it. A syntax error inside a
// statement left out goes unseen: the findings are those of the file as if that statement were valid, where a whole
// parse may wrap the rest of the file in an ERROR node (and lose its imports) until the error is fixed.
import { pointsAt, stringEnd, type Node, type PythonGrammar, type Tree } from '../parsing/python';
import { Bindings } from './bindings';
import { frameworkUnits, statementUnits } from './frameworkNames';
import type { ModuleIndex } from './moduleIndex';
import type { LoadedRule } from './rule';
import { wordsRe } from './words';

/** Smaller texts are parsed whole: a partial parse parses at least twice. */
export const PARTIAL_MIN_CHARS = 16_000;
/** Past this share of the text, parse it whole. */
const PARTIAL_MAX_SHARE = 0.5;

export interface Chunk {
  start: number;
  end: number;
  /** the end of its code: the comments and blank lines before the next statement left out */
  codeEnd: number;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 12;
const CONTINUES = /(else|elif|except|finally)\b/y;
const DEFINES = /(async[ \t]+def|def|class)\b/y;

function startsWith(re: RegExp, text: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(text);
}

/**
 * The top-level statements of a Python text, by its tokens: a statement starts at a line that begins at column 0
 * outside brackets, strings and continued lines, with anything but a comment; `else`/`elif`/`except`/`finally`
 * lines continue the statement before, and decorators run up to their `def`/`class` line. Undefined when the text
 * ends inside a string or bracket (the parser's error recovery decides there).
 */
export function topLevelChunks(text: string): Chunk[] | undefined {
  const starts: number[] = [];
  const codeEnds: number[] = [];
  const n = text.length;
  let codeEnd = 0; // after the last character of code (not a comment, not white space)
  let depth = 0;
  let lineStart = true;
  let decorating = false;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (lineStart) {
      lineStart = false;
      if (!starts.length && isSpace(c)) {
        // code before the first statement at column 0 (an indented first line parses as a statement too)
        let j = i;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        const d = text.charCodeAt(j);
        if (j < n && d !== 10 && d !== 13 && d !== 35) {
          starts.push(j);
          decorating = d === 64;
          i = j;
          continue;
        }
      }
      if (depth === 0 && !isSpace(c) && c !== 10 && c !== 13 && c !== 35 /* # */) {
        if (decorating) decorating = c === 64 /* @ */ || !startsWith(DEFINES, text, i);
        else if (!startsWith(CONTINUES, text, i)) {
          if (starts.length) codeEnds.push(codeEnd);
          starts.push(i);
          decorating = c === 64;
        }
      }
    }
    if (c === 35) {
      // a comment, to the end of the line
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 34 || c === 39) {
      const end = stringEnd(text, i);
      if (end === undefined) return undefined;
      i = codeEnd = end;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth = Math.max(0, depth - 1);
    else if (c === 92 && (text.charCodeAt(i + 1) === 10 || text.charCodeAt(i + 1) === 13)) {
      // a continued line: the next one does not start a statement
      i += text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10 ? 3 : 2;
      continue;
    } else if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lineStart = depth === 0;
    i++;
    if (!isSpace(c) && c !== 10 && c !== 13) codeEnd = i;
  }
  if (depth > 0) return undefined;
  if (starts.length) codeEnds.push(codeEnd);
  return starts.map((s, k) => ({ start: s, end: starts[k + 1] ?? n, codeEnd: codeEnds[k] }));
}

const DEF = /\bdef[ \t]+[\p{L}\p{N}_]+[ \t]*(\[[^\]]*\][ \t]*)?\(/gu;

/** Whether a parameter list of a `def` in the text names one of the names (`re`: wordsRe of them). */
export function namesParameter(text: string, re: RegExp): boolean {
  for (const m of text.matchAll(DEF)) {
    const from = m.index + m[0].length;
    let i = from;
    for (let depth = 1; i < text.length && depth > 0; ) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 39) {
        i = stringEnd(text, i) ?? text.length;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      i++;
    }
    if (re.test(text.slice(from, i))) return true;
  }
  return false;
}

/** Whether each statement of the tree lies in one chosen chunk, and each chunk starts with a statement. */
function aligned(root: Node, chosen: Chunk[]): boolean {
  if (root.hasError) return false;
  let k = -1;
  for (const st of root.namedChildren) {
    if (!st || st.type === 'comment') continue;
    if (k >= 0 && st.endIndex <= chosen[k].end) continue;
    k++;
    if (k === chosen.length || st.startIndex !== chosen[k].start || st.endIndex > chosen[k].end) return false;
  }
  return k === chosen.length - 1;
}

export interface PartialParseOptions {
  moduleName: string;
  isPackage: boolean;
  index?: ModuleIndex;
  /** the rules: a function with one of their `unboundNames` as a parameter counts, without being followed */
  rules: readonly LoadedRule[];
  /**
   * Names the text's import statements bind from the frameworks the rules port from, as read from its text (the
   * scan's import facts): when the statements naming one of them already make more than the share, the text is
   * parsed whole at once, not after a first partial round that would end there (on a file whose statements use a
   * framework name everywhere the rounds cost up to 70 % of a whole parse on top of it). A whole tree is what the
   * rounds fall back to: the findings are the same.
   */
  frameworkNames?: readonly string[];
  /** tests: parse in part from this size (default PARTIAL_MIN_CHARS) and up to this share (default 0.5) */
  minChars?: number;
  maxShare?: number;
}

/**
 * A tree of the text for a full analysis: of the statements that can hold a finding when that is less than half of a
 * large text, else of the whole text. `partial`: whether statements were left out; then `bindings` are the tree's.
 */
export function parseForAnalysis(grammar: PythonGrammar, parser: ReturnType<PythonGrammar['newParser']>, text: string, opts: PartialParseOptions): { tree: Tree | null; partial: boolean; bindings?: Bindings } {
  const whole = () => ({ tree: parser.parse(text), partial: false });
  if (text.length < (opts.minChars ?? PARTIAL_MIN_CHARS)) return whole();
  const chunks = topLevelChunks(text);
  if (!chunks?.length) return whole();
  // (a comment between two statements names nothing: `# ported to flask` after a class does not choose it)
  const chunkText = chunks.map((c) => text.slice(c.start, c.codeEnd));
  const chosen = chunkText.map((t) => /\bimport\b/.test(t));
  const parameters = [...new Set(opts.rules.flatMap((r) => r.unboundNames ?? []))];
  const params = parameters.length ? wordsRe(parameters) : undefined;
  const maxChars = (opts.maxShare ?? PARTIAL_MAX_SHARE) * text.length;
  // the statements that name an imported framework name are chosen by the second round at the latest
  if (opts.frameworkNames?.length) {
    const named = wordsRe(opts.frameworkNames);
    let chars = 0;
    chunks.forEach((c, k) => {
      if (chosen[k] || named.test(chunkText[k])) chars += c.end - c.start;
    });
    if (chars > maxChars) return whole();
  }
  const bounds = pointsAt(text, chunks.flatMap((c) => [c.start, c.end]));
  for (;;) {
    const ranges = chunks.flatMap((c, k) => (chosen[k] ? [{ startIndex: c.start, endIndex: c.end, startPosition: bounds[2 * k], endPosition: bounds[2 * k + 1] }] : []));
    if (!ranges.length || ranges.reduce((s, r) => s + r.endIndex - r.startIndex, 0) > maxChars) return whole();
    const tree = parser.parse(text, null, { includedRanges: ranges });
    if (!tree) return whole();
    let keep = false;
    try {
      if (!aligned(tree.rootNode, chunks.filter((_, k) => chosen[k]))) return whole();
      const bindings = new Bindings(tree, text, opts.moduleName, opts.index, opts.isPackage);
      const found = frameworkUnits(grammar, bindings, text, statementUnits(tree.rootNode), []);
      if (!found) return whole();
      if (!found.names.size) {
        // nothing is bound to a framework object: no statement can hold a finding
        keep = true;
        return { tree, partial: true, bindings };
      }
      // only a module-level name can be read by another top-level statement: a class's names, its methods and the
      // attributes it assigns are read within its own statement, and a function's within the function
      const moduleNames = [...found.names].filter((n) => bindings.module.bindings.has(n));
      const re = moduleNames.length ? wordsRe(moduleNames) : undefined;
      let grew = false;
      chunkText.forEach((t, k) => {
        if (!chosen[k] && ((re && re.test(t)) || (params && namesParameter(t, params)))) chosen[k] = grew = true;
      });
      if (!grew) {
        keep = true;
        return { tree, partial: true, bindings }; // (the analysis goes on with them: collected already)
      }
    } finally {
      if (!keep) tree.delete();
    }
  }
}
