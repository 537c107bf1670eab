// A node's ancestors without Node.parent: web-tree-sitter computes a parent by descending from the root, so one
// `.parent` costs O(depth) and a walk to the top O(depth²) — minutes on 10,000 nested brackets or operators.
// One tree-cursor descent from the root gives the whole chain at once (gotoFirstChild / gotoNextSibling are O(1)).
import type { Node } from './python';

/**
 * The ancestors of `n`, outermost (the root, or `from` when given) first, `n` itself excluded; the same nodes a
 * `.parent` walk visits. Undefined only if `n` is not found under `from` (in its tree: never expected; callers then
 * fall back to `.parent`).
 */
export function ancestorsOf(n: Node, from?: Node): Node[] | undefined {
  // a node with a width: straight down to it, the child holding it found in wasm at each level
  if (n.startIndex < n.endIndex) {
    const chain = descentTo(n, from);
    if (chain) return chain;
  }
  const cursor = (from ?? n.tree).walk();
  const ns = n.startIndex;
  const ne = n.endIndex;
  const id = n.id;
  const stack: Node[] = [];
  try {
    for (;;) {
      if (cursor.nodeId === id) return stack;
      // descend only into nodes that can hold n (siblings never overlap except at zero-width nodes: backtrack then)
      if (cursor.startIndex <= ns && cursor.endIndex >= ne) {
        const cur = cursor.currentNode;
        if (cursor.gotoFirstChild()) {
          stack.push(cur);
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return undefined;
        stack.pop();
      }
      // children are in order: once one starts after n, none of the rest holds it
      while (cursor.startIndex > ns) {
        if (!cursor.gotoParent()) return undefined;
        stack.pop();
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return undefined;
          stack.pop();
        }
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * ancestorsOf for a node that is not zero-width: at each level, the first child that ends after the node's start
 * (tree-sitter's ts_node_first_child_for_byte, a loop in wasm), the only one that can hold it (siblings that are not
 * zero-width do not overlap), instead of visiting each sibling before it from JavaScript (a module of 700
 * statements, a class of 300 methods). Undefined when the descent does not reach it: the sibling walk decides then.
 * (The cursor's gotoFirstChildForIndex of web-tree-sitter 0.27 moves to the first child whatever the index.)
 */
function descentTo(n: Node, from?: Node): Node[] | undefined {
  const ns = n.startIndex;
  const id = n.id;
  const stack: Node[] = [];
  for (let cur: Node | null = from ?? n.tree.rootNode; cur; cur = cur.firstChildForIndex(ns)) {
    if (cur.id === id) return stack;
    stack.push(cur);
  }
  return undefined;
}

/** The innermost ancestor of `n` (n excluded) whose type satisfies `pred`, as a `.parent` walk would find it. */
export function closestAncestor(n: Node, pred: (type: string) => boolean): Node | undefined {
  const chain = ancestorsOf(n);
  if (!chain) {
    for (let p = n.parent; p; p = p.parent) if (pred(p.type)) return p;
    return undefined;
  }
  for (let i = chain.length - 1; i >= 0; i--) if (pred(chain[i].type)) return chain[i];
  return undefined;
}

/** The ancestor-or-self of `n` whose parent satisfies `pred` (or the topmost node when none does). */
export function childOfAncestor(n: Node, pred: (type: string) => boolean): Node {
  const chain = ancestorsOf(n);
  if (!chain) {
    let cur = n;
    while (cur.parent && !pred(cur.parent.type)) cur = cur.parent;
    return cur;
  }
  for (let i = chain.length - 1; i >= 0; i--) if (pred(chain[i].type)) return chain[i + 1] ?? n;
  return chain[0] ?? n;
}

interface FunctionIndex {
  /** the range of the node it indexes (a top-level statement, or the root): an edited tree moves it */
  start: number;
  end: number;
  fns: { node: Node; start: number; end: number; parent: number }[];
}
const functionIndexes = new WeakMap<Node['tree'], Map<number, FunctionIndex>>();

/**
 * The function_definitions of the top-level statement holding `n` (of the whole tree where none holds it), by start
 * offset, each with its innermost enclosing one; once per statement and tree. (A scan's fix plans ask for a few
 * findings' functions: indexing the whole tree for them was ≈ 7 ms of a cold scan.)
 */
function functionIndex(n: Node): FunctionIndex {
  const tree = n.tree;
  const root = tree.rootNode;
  const top = root.firstNamedChildForIndex(n.startIndex);
  const scope = top && top.startIndex <= n.startIndex && n.endIndex <= top.endIndex ? top : root;
  const start = scope.startIndex;
  const end = scope.endIndex;
  let byStart = functionIndexes.get(tree);
  if (!byStart) functionIndexes.set(tree, (byStart = new Map()));
  const cached = byStart.get(start);
  if (cached && cached.end === end) return cached; // (an edited tree changes the ranges)
  const fns: FunctionIndex['fns'] = [];
  const open: number[] = [];
  // descendantsOfType lists them in document order (the scope itself first when it is one); definitions nest
  // properly, so a stack finds each one's parent
  for (const f of scope.descendantsOfType('function_definition')) {
    if (!f) continue;
    const fs = f.startIndex;
    const fe = f.endIndex;
    while (open.length && fns[open[open.length - 1]].end < fe) open.pop();
    fns.push({ node: f, start: fs, end: fe, parent: open.length ? open[open.length - 1] : -1 });
    open.push(fns.length - 1);
  }
  const idx = { start, end, fns };
  byStart.set(start, idx);
  return idx;
}

/**
 * The innermost function_definition strictly holding `n` — what `for (p = n.parent; …) if (p.type ===
 * 'function_definition')` finds — from an offset index of the tree's definitions instead of a parent walk.
 */
export function enclosingFunctionOf(n: Node): Node | undefined {
  const { fns } = functionIndex(n);
  const ns = n.startIndex;
  const ne = n.endIndex;
  const id = n.id;
  let lo = 0;
  let hi = fns.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fns[mid].start <= ns) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let i = at; i >= 0; i = fns[i].parent) {
    const f = fns[i];
    if (f.end < ne || f.node.id === id) continue;
    // a node with a definition's exact range but not it is one of its ancestors (a block holding only it)
    if (f.start === ns && f.end === ne) continue;
    // a zero-width (MISSING) node on a definition's edge may be inside it or beside it: ask the tree
    if (ns === ne && (ns === f.start || ns === f.end)) return closestAncestor(n, (t) => t === 'function_definition');
    return f.node;
  }
  return undefined;
}

/** The statement (child of a block or of the module) that holds a node; a decorated definition counts whole. */
export function statementOf(n: Node): Node {
  return childOfAncestor(n, (t) => t === 'block' || t === 'module');
}
