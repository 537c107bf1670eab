// Turns fix plans into the final edits of the original text: the rewrites, the imports they need (added once,
// merged into an existing `from x import …`, aliased on a clash), module-level code they need, and the removal
// of imports they left unused (decided on a reparse of the result, so shadowing is seen as Python sees it).
import type { Node } from '../parsing/python';
import { Bindings, isReference, type Binding } from './bindings';
import { IMPORT_TOKEN, lineBreakAt, lineStartAt, type FixPlan, type ImportWant } from './fixBuilder';
import type { ModuleIndex } from './moduleIndex';
import type { OffsetEdit } from './types';
import type { PythonGrammar } from '../parsing/python';

export interface MaterializeContext {
  grammar: PythonGrammar;
  text: string;
  bindings: Bindings;
  moduleName: string;
  isPackage: boolean;
  index?: ModuleIndex;
}

export class OverlapError extends Error {}

/** Sorts edits; drops exact duplicates; throws OverlapError when two edits touch the same text. */
export function normalizeEdits(edits: OffsetEdit[]): OffsetEdit[] {
  const indexed = edits.map((e, i) => ({ e, i }));
  indexed.sort((a, b) => a.e.start - b.e.start || (a.e.end - a.e.start === 0 ? -1 : 0) - (b.e.end - b.e.start === 0 ? -1 : 0) || (a.e.rank ?? 0) - (b.e.rank ?? 0) || a.i - b.i);
  const out: OffsetEdit[] = [];
  for (const { e } of indexed) {
    const prev = out[out.length - 1];
    // the same edit twice (e.g. two fixes adding the same parameter) counts once, adjacent or not
    if (out.some((o) => o.start === e.start && o.end === e.end && o.text === e.text)) continue;
    if (prev && e.start < prev.end) throw new OverlapError(`overlapping edits at ${prev.start}-${prev.end} and ${e.start}-${e.end}`);
    out.push(e.rank === undefined ? e : { start: e.start, end: e.end, text: e.text });
  }
  return out;
}

export function applyEdits(text: string, edits: OffsetEdit[]): string {
  const sorted = normalizeEdits(edits);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function insideAny(n: Node, ranges: OffsetEdit[]): boolean {
  return ranges.some((r) => r.end > r.start && n.startIndex >= r.start && n.endIndex <= r.end);
}

function identifiersIn(root: Node, start: number, end: number): Node[] {
  const out: Node[] = [];
  const visit = (n: Node) => {
    if (n.endIndex <= start || n.startIndex >= end) return;
    if (n.type === 'identifier') {
      if (n.startIndex >= start && n.endIndex <= end && isReference(n)) out.push(n);
      return;
    }
    for (const c of n.children) if (c) visit(c);
  };
  visit(root);
  return out;
}

function lineStart(text: string, offset: number) {
  return lineStartAt(text, offset);
}

/** The start of the next line (after the line break at or after offset; \r\n, \n or a lone \r). */
function lineEndAfter(text: string, offset: number) {
  const i = lineBreakAt(text, offset);
  return i < text.length ? i + 1 : text.length;
}

/** The file's line break when it uses one kind only and that is not \n: inserted code follows it. */
function foreignEol(text: string): string | undefined {
  const crlf = text.includes('\r\n');
  const loneLf = /(^|[^\r])\n/.test(text);
  const loneCr = /\r(?!\n)/.test(text);
  if (crlf && !loneLf && !loneCr) return '\r\n';
  if (loneCr && !crlf && !loneLf) return '\r';
  return undefined;
}

/** Where new imports go: after the leading run of imports, else after the docstring, else at the top. */
function importInsertionPoint(root: Node, text: string): { offset: number; lastImport?: Node } {
  let last: Node | undefined;
  let docstring: Node | undefined;
  let first = true;
  for (const c of root.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (first && c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string') {
      docstring = c;
      first = false;
      continue;
    }
    first = false;
    if (c.type === 'import_statement' || c.type === 'import_from_statement' || c.type === 'future_import_statement') {
      last = c;
      continue;
    }
    break;
  }
  const anchor = last ?? docstring;
  if (anchor) return { offset: lineEndAfter(text, anchor.endIndex), lastImport: last };
  // after a shebang or coding line
  let offset = 0;
  while (/^#(!|.*coding[:=])/.test(text.slice(offset, offset + 200))) offset = lineEndAfter(text, offset);
  return { offset };
}

function isModuleLevel(b: Binding) {
  return b.scope.kind === 'module';
}

interface StatementRemoval {
  stmt: Node;
  removed: Set<Node>;
}

function renderImportStatement(text: string, stmt: Node, keep: Node[]): string {
  const items = keep.map((n) => text.slice(n.startIndex, n.endIndex));
  if (stmt.type === 'import_statement') return `import ${items.join(', ')}`;
  const mod = stmt.childForFieldName('module_name');
  const head = `from ${mod ? text.slice(mod.startIndex, mod.endIndex) : ''} import `;
  const stmtText = text.slice(stmt.startIndex, stmt.endIndex);
  if (stmtText.includes('(') && stmtText.includes('\n')) {
    const indent = /\n([ \t]+)\S/.exec(stmtText)?.[1] ?? '    ';
    return `${head}(\n${items.map((i) => `${indent}${i},`).join('\n')}\n)`;
  }
  return head + items.join(', ');
}

export function materialize(ctx: MaterializeContext, plans: FixPlan[]): OffsetEdit[] {
  const { text, bindings } = ctx;
  const root = bindings.tree.rootNode;
  const ruleEdits = normalizeEdits(plans.flatMap((p) => p.edits));
  const ranges = ruleEdits.filter((e) => e.end > e.start);

  // imports the rewrites may leave unused: those referenced inside the replaced text
  const candidates = new Set<Binding>();
  for (const r of ranges) {
    for (const id of identifiersIn(root, r.start, r.end)) {
      const b = bindings.lookupNode(id);
      if (b && (b.kind === 'import' || b.kind === 'from-import')) candidates.add(b);
    }
  }

  // Flask imports an earlier pass already left unused (a fix gave the function its own `request`, say)
  for (const b of bindings.importBindings()) {
    if (candidates.has(b) || !/^flask(_|\.|$)/.test(b.module ?? '')) continue;
    if (bindings.references(b).length === 0) candidates.add(b);
  }

  // the local name of each wanted import
  const wants = new Map<string, ImportWant>();
  for (const p of plans) for (const w of p.imports) wants.set(`${w.module}:${w.name ?? ''}`, w);
  const localNames = new Map<string, string>();
  const toAdd: { want: ImportWant; local: string }[] = [];
  const forced = new Set<Binding>();
  const taken = new Set<string>();
  for (const [key, w] of [...wants].sort(([a], [b]) => a.localeCompare(b))) {
    const wantedName = w.name ?? w.module.split('.')[0];
    const existingAll = [...bindings.module.bindings.values()].flat();
    const same = existingAll.find((b) =>
      w.name ? b.kind === 'from-import' && b.module === w.module && b.importedName === w.name : b.kind === 'import' && b.module === w.module && !b.site.text.includes(' as '),
    );
    if (same && !candidates.has(same)) {
      localNames.set(key, same.name);
      continue;
    }
    const clash = bindings.module.bindings.get(wantedName);
    const usedElsewhere = (b: Binding) => bindings.references(b).some((r) => !insideAny(r, ranges));
    let local = wantedName;
    if (clash?.length || taken.has(wantedName)) {
      const last = clash?.[clash.length - 1];
      if (last && clash!.length === 1 && candidates.has(last) && !usedElsewhere(last)) forced.add(last);
      else if (!(last && same === last)) {
        const prefix = w.module.split('.')[0];
        local = `${prefix}_${wantedName}`;
        for (let i = 2; bindings.module.bindings.has(local) || taken.has(local); i++) local = `${prefix}_${wantedName}${i}`;
      }
    } else if (!w.name && w.module.includes('.')) {
      // `import a.b` binds `a`; the edit text uses the full dotted name
      local = w.module;
    }
    taken.add(local);
    localNames.set(key, local);
    toAdd.push({ want: w, local });
  }
  const sub = (s: string) => s.replace(IMPORT_TOKEN, (_m, mod: string, name: string) => localNames.get(`${mod}:${name}`) ?? name ?? mod);
  const finalRuleEdits = ruleEdits.map((e) => ({ ...e, text: sub(e.text) }));

  // additions: merged into an existing top-level `from module import …`, else new lines
  const { offset: insertAt } = importInsertionPoint(root, text);
  const addEdits: OffsetEdit[] = [];
  const newLines: string[] = [];
  const byModule = new Map<string, { want: ImportWant; local: string }[]>();
  for (const a of toAdd) {
    if (!a.want.name) {
      newLines.push(`import ${a.want.module}`);
      continue;
    }
    const list = byModule.get(a.want.module) ?? [];
    list.push(a);
    byModule.set(a.want.module, list);
  }
  for (const [module, list] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    const items = list.map((a) => (a.local === a.want.name ? a.want.name : `${a.want.name} as ${a.local}`)).sort();
    const existing = root.namedChildren.find(
      (c) => c?.type === 'import_from_statement' && c.childForFieldName('module_name')?.text === module && !c.namedChildren.some((x) => x?.type === 'wildcard_import') && c.startIndex < insertAt,
    );
    if (existing && ![...candidates].some((b) => b.stmt?.id === existing.id)) {
      const names = existing.childrenForFieldName('name').filter((x): x is Node => !!x);
      const lastName = names[names.length - 1];
      if (lastName) {
        addEdits.push({ start: lastName.endIndex, end: lastName.endIndex, text: `, ${items.join(', ')}` });
        continue;
      }
    }
    newLines.push(`from ${module} import ${items.join(', ')}`);
  }
  newLines.sort((a, b) => (a.startsWith('import ') === b.startsWith('import ') ? a.localeCompare(b) : a.startsWith('import ') ? -1 : 1));
  const needsNewlineBefore = insertAt > 0 && text[insertAt - 1] !== '\n' && text[insertAt - 1] !== '\r';
  if (newLines.length) addEdits.push({ start: insertAt, end: insertAt, text: (needsNewlineBefore ? '\n' : '') + newLines.map((l) => l + '\n').join('') });

  // module-level code the rewrites rely on, set off by two blank lines (PEP 8) from the imports and what follows
  const code: string[] = [];
  for (const p of plans)
    for (const c of p.moduleCode) {
      const body = sub(c.code).replace(/\s+$/, '');
      if (bindings.module.bindings.has(c.name) || code.includes(body)) continue;
      code.push(body);
    }
  if (code.length) {
    const rest = text.slice(insertAt);
    const blankAfter = /^\n\n/.test(rest) || rest === '' ? '\n' : /^\n/.test(rest) ? '\n\n' : '\n\n\n';
    addEdits.push({ start: insertAt, end: insertAt, text: (needsNewlineBefore && !newLines.length ? '\n' : '') + '\n\n' + code.join('\n\n\n') + blankAfter });
  }

  // which candidate imports nothing refers to any more, seen on the rewritten text
  const interim = applyEdits(text, [...addEdits, ...finalRuleEdits]);
  const removed = new Set<Binding>(forced);
  const parser = ctx.grammar.newParser();
  // (a reparse of the whole text: only when some candidate is still undecided)
  const tree2 = [...candidates].some((c) => !removed.has(c)) ? parser.parse(interim) : null;
  try {
    if (tree2) {
      const b2 = new Bindings(tree2, interim, ctx.moduleName, ctx.index, ctx.isPackage);
      const imports2 = [...b2.importBindings()];
      for (const c of candidates) {
        if (removed.has(c)) continue;
        const twins = imports2.filter((b) => b.name === c.name && b.module === c.module && b.importedName === c.importedName && b.scope.kind === c.scope.kind);
        if (twins.length && twins.every((t) => b2.references(t).length === 0)) removed.add(c);
      }
    }
  } finally {
    tree2?.delete();
    parser.delete();
  }

  const byStmt = new Map<number, StatementRemoval>();
  for (const b of removed) {
    if (!b.stmt || (!isModuleLevel(b) && b.scope.kind !== 'function')) continue;
    const entry = byStmt.get(b.stmt.id) ?? { stmt: b.stmt, removed: new Set<Node>() };
    entry.removed.add(b.site);
    byStmt.set(b.stmt.id, entry);
  }
  const removeEdits: OffsetEdit[] = [];
  for (const { stmt, removed: gone } of byStmt.values()) {
    const names = stmt.childrenForFieldName('name').filter((x): x is Node => !!x);
    const goneIds = new Set([...gone].map((n) => n.id));
    const keep = names.filter((n) => !goneIds.has(n.id));
    if (keep.length) {
      removeEdits.push({ start: stmt.startIndex, end: stmt.endIndex, text: renderImportStatement(text, stmt, keep) });
      continue;
    }
    const parent = stmt.parent;
    const siblings = parent?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    if (parent?.type === 'block' && siblings.length === 1) {
      removeEdits.push({ start: stmt.startIndex, end: stmt.endIndex, text: 'pass' });
      continue;
    }
    const ls = lineStart(text, stmt.startIndex);
    const le = lineEndAfter(text, stmt.endIndex);
    const alone = text.slice(ls, stmt.startIndex).trim() === '' && /^\s*(#.*)?\n?$/.test(text.slice(stmt.endIndex, le));
    // a line removed between two blank lines takes one of them along
    const blankAround = (ls === 0 || text.slice(Math.max(0, ls - 2), ls) === '\n\n') && text[le] === '\n' && !(insertAt > ls && insertAt <= le + 1 && addEdits.length);
    removeEdits.push(alone ? { start: ls, end: blankAround ? le + 1 : le, text: '' } : { start: stmt.startIndex, end: stmt.endIndex, text: 'pass' });
  }

  const out = normalizeEdits([...addEdits, ...removeEdits, ...finalRuleEdits]);
  // in a CRLF (or CR) file, the \n of inserted code becomes the file's line break
  const eol = foreignEol(text);
  return eol ? out.map((e) => (e.text.includes('\n') ? { ...e, text: e.text.replace(/\r?\n/g, eol) } : e)) : out;
}
