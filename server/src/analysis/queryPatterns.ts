// The combined query (engine.ts) holds each pattern shape once. web-tree-sitter checks a pattern's text predicates
// in JavaScript after building a Node for every capture of every structural match: seven `request.<attr>` rules, each
// `(attribute object: (_) @req attribute: (identifier) @attr (#eq? @attr "args"))`, built seven matches for each
// attribute in a file (49,530 candidates for 9,207 matches in the benchmark's scan). Here a pattern's literal `#eq?` /
// `#any-of?` predicates are lifted out of it: patterns of the same shape share one pattern of the combined query, and
// the engine checks each rule's lifted predicates on the match's text.

/**
 * A lifted text predicate: each node of the capture must have one of `values` as its text. With no node, `#eq?` holds
 * and `#any-of?` does not (as web-tree-sitter has it).
 */
export interface TextCheck {
  capture: string;
  values: readonly string[];
  holdsWhenAbsent: boolean;
}

/** A pattern's shape (its text without the lifted predicates, spaces normalized) and its lifted predicates. */
export interface LiftedPattern {
  shape: string;
  checks: TextCheck[];
}

/** Index after the string literal that starts at `i` (a `"`), or -1. */
function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '"') return j + 1;
  }
  return -1;
}

/**
 * The top-level patterns of a query text, each with its trailing captures and quantifier, comments dropped.
 * Undefined when the text is not balanced (the engine then keeps the rule's query as it is).
 */
export function splitPatterns(source: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  const flush = () => {
    if (cur.trim()) out.push(cur.trim());
    cur = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === ';') {
      while (i < source.length && source[i] !== '\n') i++;
      cur += ' ';
      continue;
    }
    // at depth 0, a node, an alternation, an anonymous node or a wildcard starts the next pattern (what follows a
    // pattern there is its captures and quantifier: `@a_b` is a capture, not a wildcard)
    if (depth === 0 && (c === '(' || c === '[' || c === '"' || (c === '_' && !/[\w@.-]/.test(source[i - 1] ?? ' ')))) flush();
    if (c === '"') {
      const e = stringEnd(source, i);
      if (e < 0) return undefined;
      cur += source.slice(i, e);
      i = e - 1;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
    }
    cur += c;
  }
  if (depth !== 0) return undefined;
  flush();
  return out;
}

const PREDICATE = /\(#(eq|any-of)\?\s+@([\w.-]+)((?:\s+"(?:[^"\\]|\\.)*")+)\s*\)/g;
const LITERAL = /"((?:[^"\\]|\\.)*)"/g;

/** Spaces collapsed, none after `(`/`[` or before `)`/`]`. */
function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/([([]) /g, '$1').replace(/ ([)\]])/g, '$1').trim();
}

/** `((x) @a)` → `(x) @a`: a group of one node pattern with its captures is that pattern. */
function unwrap(s: string): string {
  for (;;) {
    if (!s.startsWith('((') || !s.endsWith(')')) return s;
    const inner = s.slice(1, -1);
    // the inner text must be one parenthesized node followed only by captures
    let depth = 0;
    let end = -1;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (c === '"') {
        i = stringEnd(inner, i) - 1;
        if (i < 0) return s;
        continue;
      }
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') {
        depth--;
        if (depth === 0) {
          end = i;
          break;
        }
      }
    }
    if (end < 0 || !/^( @[\w.-]+)*$/.test(inner.slice(end + 1))) return s;
    s = inner;
  }
}

/**
 * The pattern's shape and its literal `#eq?`/`#any-of?` predicates, or undefined when it cannot be lifted: another
 * predicate or directive stays in it, or a quantifier could make a capture hold several nodes (the predicate would
 * then apply to each).
 */
export function liftTextPredicates(pattern: string): LiftedPattern | undefined {
  const checks: TextCheck[] = [];
  const rest = pattern.replace(PREDICATE, (m, op: string, capture: string, lits: string) => {
    const values = [...lits.matchAll(LITERAL)].map((l) => JSON.parse(`"${l[1]}"`) as string);
    if (op === 'eq' && values.length !== 1) return m; // left for web-tree-sitter to report
    checks.push({ capture, values, holdsWhenAbsent: op === 'eq' });
    return ' ';
  });
  if (rest.includes('#') || /[)\]][*+?]/.test(rest)) return undefined;
  return { shape: unwrap(normalize(rest)), checks };
}

/** Whether the lifted predicates hold for a match's captures (`all`: every node per capture name) over `text`. */
export function checksHold(checks: readonly TextCheck[], all: Record<string, { startIndex: number; endIndex: number }[]>, text: string): boolean {
  for (const c of checks) {
    const nodes = all[c.capture];
    if (!nodes?.length) {
      if (!c.holdsWhenAbsent) return false;
      continue;
    }
    for (const n of nodes) if (!c.values.includes(text.slice(n.startIndex, n.endIndex))) return false;
  }
  return true;
}
