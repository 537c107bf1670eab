// The toolkit a rule's fix uses to describe a rewrite. It only records intentions (edits on the original
// text, imports wanted, module-level code wanted); materialize.ts turns them into final, checked edits.
import type { Node } from '../parsing/python';
import { enclosingFunctionOf, statementOf } from '../parsing/ancestors';
import type { RuleContext } from './rule';
import type { OffsetEdit } from './types';

export interface ImportWant {
  module: string;
  /** undefined for `import module` */
  name?: string;
}

export interface ModuleCodeWant {
  /** the module-level name the code defines; skipped when the module already binds it */
  name: string;
  code: string;
}

/** Where an import's local name goes in edit text, decided once all fixes of a batch are known. */
export function importToken(w: ImportWant): string {
  return `\uE000${w.module}:${w.name ?? ''}\uE001`;
}
export const IMPORT_TOKEN = /\uE000([^:\uE001]*):([^\uE001]*)\uE001/g;

export interface FixPlan {
  rule: string;
  title: string;
  safe: boolean;
  edits: OffsetEdit[];
  imports: ImportWant[];
  moduleCode: ModuleCodeWant[];
}


/** The start of the line holding `offset`: after the last \n or lone \r before it (Python's line breaks). */
export function lineStartAt(text: string, offset: number): number {
  const n = text.lastIndexOf('\n', offset - 1);
  const r = text.lastIndexOf('\r', offset - 1);
  return Math.max(n, r >= 0 && text.charCodeAt(r + 1) !== 10 ? r : -1) + 1;
}

/** The offset of the line break at or after `offset` (the \n of \r\n, else a lone \r), or the text's length. */
export function lineBreakAt(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i;
    if (c === 13 && text.charCodeAt(i + 1) !== 10) return i;
  }
  return text.length;
}

export class FixBuilder {
  readonly edits: OffsetEdit[] = [];
  readonly imports: ImportWant[] = [];
  readonly moduleCode: ModuleCodeWant[] = [];
  safe: boolean;
  title = '';
  private readonly addedParams = new Set<string>();
  private readonly emptyParams = new Map<number, { edit: OffsetEdit; items: { code: string; rank: number }[] }>();

  constructor(
    readonly ctx: RuleContext,
    readonly ruleId: string,
    safe: boolean,
  ) {
    this.safe = safe;
  }

  get source(): string {
    return this.ctx.text;
  }

  text(n: Node | null | undefined): string {
    return n ? this.ctx.text.slice(n.startIndex, n.endIndex) : '';
  }

  replace(n: Node | { startIndex: number; endIndex: number }, text: string) {
    this.edits.push({ start: n.startIndex, end: n.endIndex, text });
  }

  replaceRange(start: number, end: number, text: string) {
    this.edits.push({ start, end, text });
  }

  insert(offset: number, text: string) {
    this.edits.push({ start: offset, end: offset, text });
  }

  /** `from module import name`: returns the name to write in edit text (resolved when the fix is made). */
  importFrom(module: string, name: string): string {
    const w = { module, name };
    if (!this.imports.some((x) => x.module === module && x.name === name)) this.imports.push(w);
    return importToken(w);
  }

  /** `import module`: returns the name to write. */
  importModule(module: string): string {
    const w = { module };
    if (!this.imports.some((x) => x.module === module && x.name === undefined)) this.imports.push(w);
    return importToken(w);
  }

  /** Module-level code (after the imports) that defines `name`, unless the module already has it. */
  ensureModuleCode(name: string, code: string) {
    if (!this.moduleCode.some((c) => c.name === name)) this.moduleCode.push({ name, code });
  }

  unsafe() {
    this.safe = false;
  }

  /** A `# TODO(port): …` line above the statement holding `anchor`; the fix becomes unsafe. */
  todo(anchor: Node, message: string) {
    const stmt = this.statementOf(anchor);
    const start = this.lineStart(stmt.startIndex);
    this.insert(start, `${this.indentOf(stmt)}# TODO(port): ${message.replace(/\s*\n\s*/g, ' ')} [${this.ruleId}]\n`);
    this.unsafe();
  }

  /** The statement (child of a block or the module) that holds a node; decorated definitions count whole. */
  statementOf(n: Node): Node {
    return statementOf(n);
  }

  /** Where the line holding `offset` starts; like Python, a lone \r ends a line too. */
  lineStart(offset: number): number {
    return lineStartAt(this.ctx.text, offset);
  }

  /** The offset of the line break ending the line at `offset` (the \n of \r\n), or the text's length. */
  lineEnd(offset: number): number {
    return lineBreakAt(this.ctx.text, offset);
  }

  indentOf(n: Node): string {
    const start = this.lineStart(n.startIndex);
    return /^[ \t]*/.exec(this.ctx.text.slice(start, n.startIndex))?.[0] ?? '';
  }

  /** The indentation one level inside `n`'s block (from its body, or four spaces more). */
  bodyIndent(def: Node): string {
    const body = def.childForFieldName('body');
    const first = body?.namedChildren[0];
    if (first && first.startPosition.row !== def.startPosition.row) return this.indentOf(first);
    return this.indentOf(def) + '    ';
  }

  enclosingFunction(n: Node): Node | undefined {
    // (an offset index of the tree's definitions, not a `.parent` walk: each `.parent` costs O(depth))
    return enclosingFunctionOf(n);
  }

  /** The decorated_definition around a function, if any. */
  decoratedOf(fn: Node): Node | undefined {
    return fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  }

  /** Removes a whole statement; an emptied block gets `pass`. */
  deleteStatement(stmt: Node) {
    const parent = stmt.parent;
    const siblings = parent?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    if (parent?.type === 'block' && siblings.length === 1) {
      this.replace(stmt, 'pass');
      return;
    }
    const start = this.lineStart(stmt.startIndex);
    const end = this.lineEnd(stmt.endIndex);
    const onlyOnLine = this.ctx.text.slice(start, stmt.startIndex).trim() === '' && this.ctx.text.slice(stmt.endIndex, end).trim().replace(/^#.*/, '') === '';
    if (onlyOnLine) this.replaceRange(start, Math.min(end + 1, this.ctx.text.length), '');
    else this.replace(stmt, 'pass');
  }

  /** Parameter names of a function. */
  paramNames(fn: Node): string[] {
    const params = fn.childForFieldName('parameters');
    const out: string[] = [];
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      const id = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      if (id) out.push(id.text);
    }
    return out;
  }

  /**
   * Adds a parameter unless the function has one of that name. `first` puts it first (Django's `request`);
   * otherwise a parameter without default goes before the first defaulted one, a defaulted one at the end.
   */
  ensureParam(fn: Node, name: string, code: string, opts: { first?: boolean; hasDefault?: boolean } = {}): void {
    if (this.paramNames(fn).includes(name) || this.addedParams.has(`${fn.id}:${name}`)) return;
    this.addedParams.add(`${fn.id}:${name}`);
    const params = fn.childForFieldName('parameters');
    if (!params) return;
    const named = params.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (named.length === 0) {
      // replace the whole `()`: two different fixes' first parameters then conflict (one waits for the next pass)
      // instead of being glued together as `(ab)`; parameters added by this same fix join one list
      const prev = this.emptyParams.get(params.id);
      if (prev) {
        prev.items.push({ code, rank: opts.first ? 0 : opts.hasDefault ? 2 : 1 });
        prev.items.sort((a, b) => a.rank - b.rank);
        prev.edit.text = `(${prev.items.map((i) => i.code).join(', ')})`;
        return;
      }
      const edit = { start: params.startIndex, end: params.endIndex, text: `(${code})` };
      this.edits.push(edit);
      this.emptyParams.set(params.id, { edit, items: [{ code, rank: opts.first ? 0 : opts.hasDefault ? 2 : 1 }] });
      return;
    }
    if (opts.first) {
      this.insert(named[0].startIndex, `${code}, `);
      return;
    }
    const isDefaulted = (p: Node) => ['default_parameter', 'typed_default_parameter'].includes(p.type);
    const isStar = (p: Node) => ['list_splat_pattern', 'dictionary_splat_pattern', 'keyword_separator', 'positional_separator'].includes(p.type);
    if (!opts.hasDefault) {
      const stop = named.find((p) => isDefaulted(p) || (isStar(p) && p.type !== 'positional_separator'));
      if (stop) {
        this.insert(stop.startIndex, `${code}, `);
        return;
      }
    } else {
      const kwargs = named.find((p) => p.type === 'dictionary_splat_pattern');
      if (kwargs) {
        this.insert(kwargs.startIndex, `${code}, `);
        return;
      }
    }
    const last = named[named.length - 1];
    // at the same offset, parameters without a default go before defaulted ones
    this.edits.push({ start: last.endIndex, end: last.endIndex, text: `, ${code}`, rank: opts.hasDefault ? 1 : 0 });
  }

  plan(): FixPlan {
    return { rule: this.ruleId, title: this.title, safe: this.safe, edits: this.edits, imports: this.imports, moduleCode: this.moduleCode };
  }
}

/** A Python string literal's value when it is a plain literal (no f-string, no concatenation). */
export function stringValue(n: Node | null | undefined): string | undefined {
  if (!n || n.type !== 'string') return undefined;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (/[fFbB]/.test(start)) return undefined;
  const content = n.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence').map((c) => c!.text).join('');
  if (/\\/.test(content) && !/[rR]/.test(start)) {
    try {
      return JSON.parse(`"${content.replace(/"/g, '\\"')}"`);
    } catch {
      return undefined;
    }
  }
  return content;
}

/** Positional arguments and keyword arguments of a call's argument_list. */
export function callArgs(call: Node): { positional: Node[]; keywords: Map<string, Node>; keywordNodes: Map<string, Node>; splats: Node[] } {
  const args = call.type === 'argument_list' ? call : call.childForFieldName('arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const keywordNodes = new Map<string, Node>();
  const splats: Node[] = [];
  for (const a of args?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k && v) {
        keywords.set(k, v);
        keywordNodes.set(k, a);
      }
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') splats.push(a);
    else positional.push(a);
  }
  return { positional, keywords, keywordNodes, splats };
}

/** A string in Python source form, double-quoted. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** Whether `s` can be a Python identifier (ASCII subset, not a keyword). */
export function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !PY_KEYWORDS.has(s);
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** A safe Python identifier for a request key: 'User-Agent' → 'user_agent'. */
export function toIdentifier(s: string): string {
  let id = s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase();
  if (!id || /^[0-9]/.test(id)) id = `p_${id}`;
  if (PY_KEYWORDS.has(id) || PY_KEYWORDS.has(id[0].toUpperCase() + id.slice(1))) id += '_';
  return id;
}
