// Loads web-tree-sitter and the Python grammar once per process; everything else asks here for a parser.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query, type Point } from 'web-tree-sitter';

export type { Node, Tree, Query, QueryMatch, Edit, Point } from 'web-tree-sitter';

let loading: Promise<PythonGrammar> | undefined;

export interface PythonGrammar {
  language: Language;
  /** A parser bound to Python; parsers are cheap, but keep one per thread of work. */
  newParser(): Parser;
  /** Compiles a query; throws QueryError on a bad query. */
  query(source: string): Query;
}

/** Directories that may hold the two wasm files: beside the bundle, or in node_modules when run from source. */
function wasmDirs(): { runtime: string; grammar: string } {
  const here = __dirname;
  if (fs.existsSync(path.join(here, 'tree-sitter-python.wasm'))) return { runtime: here, grammar: here };
  const runtime = path.dirname(require.resolve('web-tree-sitter/web-tree-sitter.wasm'));
  const grammar = path.dirname(require.resolve('tree-sitter-python/package.json'));
  return { runtime, grammar };
}

export function loadPython(): Promise<PythonGrammar> {
  loading ??= (async () => {
    const dirs = wasmDirs();
    await Parser.init({ locateFile: (name: string) => path.join(dirs.runtime, name) });
    const language = await Language.load(path.join(dirs.grammar, 'tree-sitter-python.wasm'));
    return {
      language,
      newParser() {
        const p = new Parser();
        p.setLanguage(language);
        return p;
      },
      query(source: string) {
        return new Query(language, source);
      },
    };
  })();
  return loading;
}

/** CPython refuses more than 100 nested indentation levels; well beyond that, tree-sitter's wasm parser can fail. */
export const MAX_INDENT_LEVELS = 150;

/**
 * Why a text is not handed to the parser, or undefined. Deeply indented text (1,500 nested blocks, about 1 MB)
 * makes the wasm parser fail with "memory access out of bounds" and leaves the wasm instance broken for every later
 * parse in the process; no Python file gets there (CPython stops at 100 levels), so such text is refused up front.
 */
export function parseRefusal(text: string): string | undefined {
  return checkForParse(text).refusal;
}

/**
 * parseRefusal's reason, and when there is none, how many more levels of indentation or of brackets the text could
 * take before it is refused (an edit of n characters, none of them a line break, quote, `#`, backslash or NUL, changes
 * either by at most n: documents.ts skips the whole-text check for such edits while they fit).
 */
export function checkForParse(text: string): { refusal?: string; headroom: number } {
  // tree-sitter ends a comment or string at a NUL and reads the rest as tokens: a 1 MB comment of brackets became
  // 400,000 siblings, over which queries are quadratic (minutes). Files with NUL bytes are skipped as binary anyway.
  const nul = text.indexOf('\0');
  if (nul >= 0) return { refusal: `a NUL byte (line ${lineNumberAt(text, nul)}); Python refuses source code with null bytes too`, headroom: 0 };
  const stack: number[] = [0];
  let levels = 0;
  let i = 0;
  const n = text.length;
  const lineEnd = lineEndFinder(text);
  while (i < n) {
    let w = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 32) w++;
      else if (c === 9) w = (w & ~7) + 8;
      else break;
    }
    const c = text.charCodeAt(j);
    if (j < n && c !== 10 && c !== 13 && c !== 35 /* # */) {
      while (stack.length > 1 && stack[stack.length - 1] > w) stack.pop();
      if (w > stack[stack.length - 1]) {
        stack.push(w);
        if (stack.length > MAX_INDENT_LEVELS) return { refusal: `more than ${MAX_INDENT_LEVELS} levels of indentation (line ${lineNumberAt(text, j)}); Python allows 100`, headroom: 0 };
        levels = Math.max(levels, stack.length);
      }
    }
    i = lineEnd(j) + 1;
  }
  const brackets = bracketDepth(text);
  if (brackets.overflow !== undefined) return { refusal: `brackets nested more than ${MAX_BRACKET_DEPTH} deep (line ${lineNumberAt(text, brackets.overflow)}); Python refuses that too`, headroom: 0 };
  return { headroom: Math.min(MAX_INDENT_LEVELS - levels, MAX_BRACKET_DEPTH - brackets.max) };
}

/** Where the line holding offset `from` ends (its line break, or the text's end): by '\n', '\r' or both. */
function lineEndFinder(text: string): (from: number) => number {
  const n = text.length;
  if (!text.includes('\r')) {
    return (from) => {
      const k = text.indexOf('\n', from);
      return k < 0 ? n : k;
    };
  }
  return (from) => {
    let k = from;
    while (k < n && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
    return k;
  };
}

/** CPython's tokenizer refuses more than 200 nested brackets ("too many nested parentheses"). */
const MAX_BRACKET_DEPTH = 200;

/** The deepest bracket nesting outside strings and comments, and the first place it goes beyond CPython's limit. */
function bracketDepth(text: string): { max: number; overflow?: number } {
  let depth = 0;
  let max = 0;
  const n = text.length;
  const lineEnd = lineEndFinder(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      i = lineEnd(i);
    } else if (c === 34 || c === 39 /* " ' */) {
      const end = stringEnd(text, i);
      if (end === undefined) return { max }; // the text ends inside it
      i = end - 1;
    } else if (c === 40 || c === 91 || c === 123) {
      if (++depth > MAX_BRACKET_DEPTH) return { max: depth, overflow: i };
      if (depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return { max };
}

/**
 * The end of the string literal whose opening quote is at `at` (any prefix: a backslash escapes the next character,
 * in raw strings too, as far as the end goes): just after its closing quote; at its line break when a one-line string
 * is unterminated; undefined when the text ends inside it.
 */
export function stringEnd(text: string, at: number): number | undefined {
  const q = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === q && text.charCodeAt(at + 2) === q;
  if (triple) {
    // (a docstring runs for many lines: jump from quote or backslash to the next)
    const quote = text[at];
    let bi = text.indexOf('\\', at + 3); // the first backslash at or after i (-1: none)
    for (let i = at + 3; ; ) {
      const qi = text.indexOf(quote, i);
      if (qi < 0) return undefined;
      if (bi >= 0 && bi < i) bi = text.indexOf('\\', i);
      if (bi >= 0 && bi < qi) {
        i = bi + 2;
        continue;
      }
      if (text.charCodeAt(qi + 1) === q && text.charCodeAt(qi + 2) === q) return qi + 3;
      i = qi + 1;
    }
  }
  for (let i = at + 1; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 92 /* \ */) i++;
    else if (!triple && (d === 10 || d === 13)) return i;
    else if (d === q && (!triple || (text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q))) return i + (triple ? 3 : 1);
  }
  return undefined;
}

/**
 * tree-sitter's points of UTF-16 offsets given in ascending order, in one pass: rows counted by '\n' only (a lone CR
 * is white space to it), columns in code units from the row start.
 */
export function pointsAt(text: string, offsets: readonly number[]): Point[] {
  const out: Point[] = [];
  let row = 0;
  let lineStart = 0;
  let nl = text.indexOf('\n');
  for (const x of offsets) {
    for (; nl !== -1 && nl < x; nl = text.indexOf('\n', nl + 1)) {
      row++;
      lineStart = nl + 1;
    }
    out.push({ row, column: x - lineStart });
  }
  return out;
}

function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Query matches start at most this deep (engine.ts). tree-sitter's query cursor keeps depths in 16 bits: beyond
 * 65,535 levels (a 1 MB line of `a + a + …`: 200,000) queries lose matches and one took minutes. CPython gives up far
 * earlier ("maximum recursion depth exceeded during ast construction" at about 3,000 chained operators).
 */
export const MAX_TREE_DEPTH = 20_000;

/**
 * Options for every query: matches start at most MAX_TREE_DEPTH levels down (tree-sitter's query cursor keeps depths
 * in 16 bits, and past 65,535 levels, a 1 MB line of `a + a + …` is 200,000 deep, one query took minutes and lost
 * matches anyway).
 */
export const MATCH_OPTIONS = { maxStartDepth: MAX_TREE_DEPTH };
