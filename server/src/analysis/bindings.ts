// Which framework object each name and dotted expression stands for, so rules fire only on the real thing:
// `from flask import request as req`, `import flask` + `flask.request`, `app = Flask(...)` inside a factory,
// `class User(db.Model)`, and names imported from the project's own modules (through a ModuleIndex).
import { ancestorsOf } from '../parsing/ancestors';
import type { Node, Tree } from '../parsing/python';
import { absoluteImport, FACTORY, type ModuleIndex } from './moduleIndex';
import { wordsRe } from './words';

export type BindingKind = 'import' | 'from-import' | 'assign' | 'def' | 'class' | 'param' | 'other';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** offset where the binding takes effect */
  start: number;
  /** the node that binds (identifier or aliased_import etc.) */
  site: Node;
  /** for imports: the statement; for assign: the assignment; for def/class: the definition */
  stmt?: Node;
  /** absolute module for imports; `import a.b` binds `a` with module 'a' */
  module?: string;
  importedName?: string;
  value?: Node;
  type?: Node;
  bases?: Node[];
  def?: Node;
  scope: Scope;
}

export class Scope {
  // (made on first use: an edit carries every module-level definition over as a Scope, and most are never read
  // before the next edit)
  private own: Map<string, Binding[]> | undefined;
  private wildcards: string[] | undefined;
  /**
   * Collects this scope's bindings on first use: function and class bodies are collected lazily, so an edit's
   * analysis pays for the module level and the scopes it resolves names in, not for the whole file.
   */
  collector?: () => void;
  /** offsets of the definition (read once from wasm: scopeOf runs for every resolved identifier) */
  start = 0;
  end = 0;
  bodyStart = -1;
  paramsStart = -1;
  paramsEnd = -1;
  /**
   * The names a module-level function binds, once it was collected and found to define nothing inside it (carried
   * over from an earlier analysis while no edit touches it: Bindings.bindsLocally)
   */
  locals: ReadonlySet<string> | undefined;
  private located: Node | undefined;
  constructor(
    readonly kind: 'module' | 'function' | 'class',
    node: Node | (() => Node),
    readonly parent: Scope | undefined,
  ) {
    if (typeof node === 'function') this.locate = node;
    else this.located = node;
  }
  private locate?: () => Node;
  /** the definition (a scope carried over from an earlier tree finds its node in this one on first use) */
  get node(): Node {
    return (this.located ??= this.locate!());
  }
  get bindings(): Map<string, Binding[]> {
    this.ensure();
    return (this.own ??= new Map());
  }
  get wildcardModules(): string[] {
    this.ensure();
    return (this.wildcards ??= []);
  }
  get collected(): boolean {
    return !this.collector;
  }
  ensure() {
    const c = this.collector;
    if (!c) return;
    this.collector = undefined;
    c();
  }
  /** Takes `own` as its bindings (a module level carried over whole: made by name when first asked for). */
  adopt(own: Map<string, Binding[]>) {
    this.own = own;
  }
  add(b: Binding) {
    const own = (this.own ??= new Map());
    const list = own.get(b.name);
    if (list) list.push(b);
    else own.set(b.name, [b]);
  }
}

/** Aliases under which the frameworks re-export the same objects. */
const NORMALIZE = new Map<string, string>(Object.entries({
  'flask.current_app': 'flask.Flask()',
  'flask.app.Flask': 'flask.Flask',
  'flask.blueprints.Blueprint': 'flask.Blueprint',
  'flask.globals.request': 'flask.request',
  'flask.globals.session': 'flask.session',
  'flask.globals.g': 'flask.g',
  'flask.globals.current_app': 'flask.Flask()',
  'flask.helpers.url_for': 'flask.url_for',
  'flask.helpers.flash': 'flask.flash',
  'flask.helpers.make_response': 'flask.make_response',
  'flask.helpers.send_file': 'flask.send_file',
  'flask.json.jsonify': 'flask.jsonify',
  'flask.templating.render_template': 'flask.render_template',
  'werkzeug.utils.redirect': 'flask.redirect',
  'werkzeug.exceptions.abort': 'flask.abort',
  'flask_sqlalchemy.model.Model': 'flask_sqlalchemy.SQLAlchemy().Model',
  'flask_login.utils.login_required': 'flask_login.login_required',
  'flask_login.utils.current_user': 'flask_login.current_user',
  'flask_login.utils.login_user': 'flask_login.login_user',
  'flask_login.utils.logout_user': 'flask_login.logout_user',
}));

/** The first names of NORMALIZE's keys: a qualified name under any other is left as it is without a lookup. */
const NORMALIZED_ROOTS = new Set([...NORMALIZE.keys()].map((k) => k.slice(0, k.indexOf('.'))));

/**
 * A qualified name with its longest known alias prefix replaced: 'flask.current_app.config' → 'flask.Flask().config'.
 * (a Map: a name such as `constructor.x`, looked up in an object, found Object's own properties)
 */
function normalize(q: string): string {
  const dot = q.indexOf('.');
  if (dot < 0 || !NORMALIZED_ROOTS.has(q.slice(0, dot))) return q;
  for (let i = q.length; i > 0; i = q.lastIndexOf('.', i - 1)) {
    const n = NORMALIZE.get(q.slice(0, i));
    if (n) return n + q.slice(i);
  }
  return q;
}

/**
 * The last names an attribute can end with to stand for one of `qnames`: normalize keeps what follows the prefix it
 * replaces, so an attribute's last name is the qualified name's, or that of a key normalized to it
 * ('flask.globals.session' for 'flask.session').
 */
export function attributeNamesFor(qnames: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const last = (q: string) => q.slice(q.lastIndexOf('.') + 1);
  for (const q of qnames) {
    out.add(last(q));
    for (const [k, v] of NORMALIZE) if (v === q) out.add(last(k));
  }
  return out;
}

/** Whether a scope lies inside a function (its names are read only there). */
function insideFunction(sc: Scope): boolean {
  for (let p = sc.parent; p; p = p.parent) if (p.kind === 'function') return true;
  return false;
}

const SCOPE_NODES = new Set(['function_definition', 'class_definition']);

/** A node by its offsets and type: what outlives a tree. */
export interface NodeRef {
  start: number;
  end: number;
  type: string;
}

export interface BindingSnap {
  name: string;
  kind: BindingKind;
  start: number;
  module?: string;
  importedName?: string;
  site: NodeRef;
  stmt?: NodeRef;
  value?: NodeRef;
  type?: NodeRef;
  bases?: NodeRef[];
  def?: NodeRef;
  /** what it binds to what, as text (equal signatures resolve alike) */
  sig: string;
}

interface ScopeSnap {
  kind: 'function' | 'class';
  node: NodeRef;
  start: number;
  end: number;
  bodyStart: number;
  paramsStart: number;
  paramsEnd: number;
  /** Scope.locals, when known */
  locals?: ReadonlySet<string>;
}

export interface ModuleSnapshot {
  names: [string, BindingSnap[]][];
  wildcards: string[];
  scopes: ScopeSnap[];
}

const nameIndexes = new WeakMap<ModuleSnapshot, Map<string, BindingSnap[]>>();
/** A snapshot's bindings by name. */
export function snapshotNames(snap: ModuleSnapshot): Map<string, BindingSnap[]> {
  let m = nameIndexes.get(snap);
  if (!m) nameIndexes.set(snap, (m = new Map(snap.names)));
  return m;
}

/** Edits a deferred snapshot moves its records through, at most (then they are moved and made anew once). */
const MAX_DEFERRED_EDITS = 32;

/**
 * Whether an edit removes no module-level offset: it removes nothing, or only text strictly inside a module-level
 * definition's body (the module level's records lie outside every body, but for a definition's own end).
 */
function insideABody(scopes: readonly ScopeSnap[], e: OffsetEdit): boolean {
  if (e.oldEnd === e.start) return true;
  return scopes.some((sc) => sc.bodyStart >= 0 && sc.bodyStart < e.start && e.oldEnd <= sc.end);
}

/**
 * Module-level definitions' records moved by `move` (`lost`: an offset lies inside an edit); what a function binds is
 * dropped where an edit touched it.
 */
function movedScopes(scopes: readonly ScopeSnap[], move: (x: number) => number | undefined, lost: () => void, edited?: (start: number, end: number) => boolean): ScopeSnap[] {
  const to = (x: number) => {
    const y = move(x);
    if (y === undefined) lost();
    return y ?? -1;
  };
  const at = (r: NodeRef): NodeRef => {
    const start = to(r.start);
    const end = to(r.end);
    return start === r.start && end === r.end ? r : { start, end, type: r.type };
  };
  return scopes.map((s0) => {
    const node = at(s0.node);
    const start = to(s0.start);
    const end = to(s0.end);
    const bodyStart = s0.bodyStart < 0 ? -1 : to(s0.bodyStart);
    const paramsStart = s0.paramsStart < 0 ? -1 : to(s0.paramsStart);
    const paramsEnd = s0.paramsEnd < 0 ? -1 : to(s0.paramsEnd);
    // (what a function binds is known again only once it is collected again, when an edit touched it)
    const locals = s0.locals && (!edited || !edited(start, end)) ? s0.locals : undefined;
    if (node === s0.node && start === s0.start && end === s0.end && bodyStart === s0.bodyStart && paramsStart === s0.paramsStart && paramsEnd === s0.paramsEnd && locals === s0.locals) return s0;
    return { ...s0, node, start, end, bodyStart, paramsStart, paramsEnd, locals };
  });
}

/** An edit: [start, oldEnd) of the text before it became [start, newEnd). */
export interface OffsetEdit {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

/** Where an offset is after the edits, made one after another (undefined: inside one). */
export function moveThrough(edits: readonly OffsetEdit[], x: number): number | undefined {
  for (const e of edits) {
    if (x < e.start) continue;
    if (x >= e.oldEnd) x += e.newEnd - e.oldEnd;
    else return undefined;
  }
  return x;
}

/** A binding's record with its offsets moved by `to` (the same record when none moves; `lost`: one lies in an edit). */
function movedSnap(b: BindingSnap, to: (x: number) => number | undefined, lost: () => void): BindingSnap {
  const at = (r: NodeRef): NodeRef => {
    const start = to(r.start);
    const end = to(r.end);
    if (start === undefined || end === undefined) {
      lost();
      return r;
    }
    return start === r.start && end === r.end ? r : { start, end, type: r.type };
  };
  const opt = (r: NodeRef | undefined) => (r ? at(r) : undefined);
  const start = to(b.start);
  if (start === undefined) lost();
  const site = at(b.site);
  const stmt = opt(b.stmt);
  const value = opt(b.value);
  const type = opt(b.type);
  const def = opt(b.def);
  const bases = b.bases?.map(at);
  if ((start ?? b.start) === b.start && site === b.site && stmt === b.stmt && value === b.value && type === b.type && def === b.def && (!bases || bases.every((r, i) => r === b.bases![i]))) return b;
  return { name: b.name, kind: b.kind, start: start ?? -1, module: b.module, importedName: b.importedName, site, stmt, value, type, bases, def, sig: b.sig };
}

/** A record moved by edits that were checked to leave every module-level offset outside them (carryModule). */
function movedBy(b: BindingSnap, edits: readonly OffsetEdit[]): BindingSnap {
  return movedSnap(
    b,
    (x) => moveThrough(edits, x),
    () => {
      throw new Error(`a carried-over binding of ${b.name} lies inside an edit`);
    },
  );
}

/**
 * A module level carried over whole, by edits inside definitions' bodies: the bindings of an earlier snapshot and the
 * edits since, the records moved when first read (by name, or all of them by \`names\`). An edit of a function body in
 * the Flask module moved and made anew 1,300 records and bindings, most never read before the next edit.
 */
class DeferredSnapshot implements ModuleSnapshot {
  private all: [string, BindingSnap[]][] | undefined;
  private readonly one = new Map<string, BindingSnap[]>();
  constructor(
    /** the bindings by name, in the offsets before `edits` */
    readonly base: ReadonlyMap<string, BindingSnap[]>,
    readonly edits: readonly OffsetEdit[],
    readonly wildcards: string[],
    readonly scopes: ScopeSnap[],
  ) {}

  get names(): [string, BindingSnap[]][] {
    return (this.all ??= [...this.base.keys()].map((name) => [name, this.named(name)!]));
  }

  /** One name's records, moved. */
  named(name: string): BindingSnap[] | undefined {
    let list = this.one.get(name);
    if (list) return list;
    const from = this.base.get(name);
    if (!from) return undefined;
    this.one.set(name, (list = from.map((b) => movedBy(b, this.edits))));
    return list;
  }
}

/** The module scope's bindings of a deferred snapshot: a name's are made when it is first asked for. */
class DeferredBindings extends Map<string, Binding[]> {
  private whole = false;
  constructor(
    private readonly snap: DeferredSnapshot,
    private readonly make: (b: BindingSnap) => Binding,
  ) {
    super();
  }
  private fill(name: string): Binding[] | undefined {
    const got = super.get(name);
    if (got || this.whole) return got;
    const list = this.snap.named(name)?.map(this.make);
    if (list) super.set(name, list);
    return list;
  }
  /** every name's, in the snapshot's order (as a module level carried over record by record adds them) */
  private fillAll() {
    if (this.whole) return;
    const made = [...this.snap.base.keys()].map((name) => [name, this.fill(name)!] as const);
    super.clear();
    for (const [name, list] of made) super.set(name, list);
    this.whole = true;
  }
  override get(name: string): Binding[] | undefined {
    return this.fill(name);
  }
  override has(name: string): boolean {
    return this.whole ? super.has(name) : this.snap.base.has(name);
  }
  override set(name: string, list: Binding[]): this {
    this.fillAll();
    return super.set(name, list);
  }
  override delete(name: string): boolean {
    this.fillAll();
    return super.delete(name);
  }
  override clear(): void {
    this.fillAll();
    super.clear();
  }
  override get size(): number {
    this.fillAll();
    return super.size;
  }
  override entries(): MapIterator<[string, Binding[]]> {
    this.fillAll();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.fillAll();
    return super.keys();
  }
  override values(): MapIterator<Binding[]> {
    this.fillAll();
    return super.values();
  }
  override forEach(f: (value: Binding[], key: string, map: Map<string, Binding[]>) => void, self?: unknown): void {
    this.fillAll();
    super.forEach(f, self);
  }
  override [Symbol.iterator](): MapIterator<[string, Binding[]]> {
    return this.entries();
  }
}

/** The node of this tree with exactly these offsets and type (the smallest holding them, or an ancestor). */
function nodeAt(tree: Tree, r: NodeRef): Node {
  for (let n: Node | null = tree.rootNode.descendantForIndex(r.start, r.end); n; n = n.parent) {
    if (n.startIndex === r.start && n.endIndex === r.end && n.type === r.type) return n;
    if (n.startIndex < r.start || n.endIndex > r.end) break;
  }
  throw new Error(`no ${r.type} at ${r.start}-${r.end}: a carried-over binding does not match the tree`);
}

/**
 * The nodes what a binding resolves to is read from: an assignment's value and annotation (its whole statement when
 * it has no single value), a parameter's annotation, a class's bases, a function's definition (its returns: a
 * factory). Names in them are what the binding may depend on.
 */
export function dependencyNodes(b: Binding): Node[] {
  const nodes = b.kind === 'assign' ? (b.value ? [b.value, b.type] : [b.stmt]) : b.kind === 'param' ? [b.type] : b.kind === 'class' ? (b.bases ?? []) : b.kind === 'def' ? [b.def] : [];
  return nodes.filter((n): n is Node => !!n);
}

/**
 * Where a binding's dependencyNodes are, by offsets: a carried-over binding's nodes are not looked for in the tree (an
 * edit of a top-level line read all 1,300 of the Flask module's, ≈ 1 ms).
 */
export function dependencySpans(b: Binding): readonly { readonly start: number; readonly end: number }[] {
  if (!(b instanceof CarriedBinding)) return dependencyNodes(b).map((n) => ({ start: n.startIndex, end: n.endIndex }));
  const s = b.snap;
  const refs = s.kind === 'assign' ? (s.value ? [s.value, s.type] : [s.stmt]) : s.kind === 'param' ? [s.type] : s.kind === 'class' ? (s.bases ?? []) : s.kind === 'def' ? [s.def] : [];
  return refs.filter((r): r is NodeRef => !!r);
}

/** The text of the nodes, space-separated. */
export function textOf(text: string, nodes: readonly Node[]): string {
  return nodes.map((n) => text.slice(n.startIndex, n.endIndex)).join(' ');
}

/** The span of a def/class binding's definition, without finding a carried-over binding's node. */
export function defSpan(b: Binding): { readonly start: number; readonly end: number } | undefined {
  if (b instanceof CarriedBinding) return b.snap.def;
  return b.def ? { start: b.def.startIndex, end: b.def.endIndex } : undefined;
}

/** A module-level binding carried over an edit: its nodes are found in the new tree when first read. */
class CarriedBinding implements Binding {
  readonly name: string;
  readonly kind: BindingKind;
  readonly start: number;
  readonly module?: string;
  readonly importedName?: string;
  private memo: { site?: Node; stmt?: Node; value?: Node; type?: Node; def?: Node } | undefined;
  constructor(
    readonly snap: BindingSnap,
    readonly scope: Scope,
    private readonly locate: (r: NodeRef) => () => Node,
  ) {
    this.name = snap.name;
    this.kind = snap.kind;
    this.start = snap.start;
    if (snap.module !== undefined) this.module = snap.module;
    if (snap.importedName !== undefined) this.importedName = snap.importedName;
  }
  private get1(key: 'site' | 'stmt' | 'value' | 'type' | 'def'): Node | undefined {
    // (made on first read: most carried bindings are never read before the next edit)
    const memo = (this.memo ??= {});
    if (key in memo) return memo[key];
    const r = this.snap[key];
    return (memo[key] = r ? this.locate(r)() : undefined);
  }
  get site(): Node {
    return this.get1('site')!;
  }
  get stmt(): Node | undefined {
    return this.get1('stmt');
  }
  get value(): Node | undefined {
    return this.get1('value');
  }
  get type(): Node | undefined {
    return this.get1('type');
  }
  get def(): Node | undefined {
    return this.get1('def');
  }
  private basesMemo: Node[] | undefined;
  get bases(): Node[] | undefined {
    if (!this.snap.bases) return undefined;
    return (this.basesMemo ??= this.snap.bases.map((r) => this.locate(r)()));
  }
}

/** A module-level definition's scope carried over an edit (collected, in the new tree, on first use). */
class CarriedScope extends Scope {
  constructor(
    /** where it is in this tree (its snapshot again: nothing moves a carried-over scope after) */
    readonly snap: ScopeSnap,
    locate: () => Node,
    parent: Scope,
  ) {
    super(snap.kind, locate, parent);
    this.start = snap.start;
    this.end = snap.end;
    this.bodyStart = snap.bodyStart;
    this.paramsStart = snap.paramsStart;
    this.paramsEnd = snap.paramsEnd;
    this.locals = snap.locals;
  }
}

export class Bindings {
  readonly module: Scope;
  /** by the definition's start offset (unique per definition; a carried-over scope has no node id yet) */
  private readonly scopes = new Map<number, Scope>();
  private readonly memo = new Map<number, string | undefined>();
  private depth = 0;
  /** whether the text holds an assignment expression anywhere */
  private readonly walrus: boolean;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    /** dotted module name of this file, e.g. 'blog.views' ('' when unknown) */
    readonly moduleName = '',
    readonly index?: ModuleIndex,
    readonly isPackage = false,
    /** the module level of an earlier tree of this text, when an edit left it alone (incremental.ts decides) */
    carry?: {
      snapshot: ModuleSnapshot;
      /** the edits since it, in order (a module level carried over whole by one edit is moved when read) */
      edits: readonly OffsetEdit[];
      recollect?: readonly Node[];
      /** whether an edit touched [start, end] (new offsets): a function there may bind other names now */
      edited?: (start: number, end: number) => boolean;
    },
  ) {
    this.walrus = text.includes(':=');
    this.module = new Scope('module', tree.rootNode, undefined);
    if (carry && this.carryModule(carry.snapshot, carry.edits, carry.recollect, carry.edited)) {
      this.carried = true;
      this.carriedWhole = !carry.recollect?.length;
    } else this.collect(tree.rootNode, this.module);
  }

  // ---------- the module level carried over an edit ----------

  private snap: ModuleSnapshot | undefined;

  /**
   * The module level as offsets (bindings, their signatures, the definitions defined there), readable after this
   * tree is gone: an edit inside a definition's body leaves it as it was, moved (carryModule).
   */
  snapshot(): ModuleSnapshot {
    if (this.snap) return this.snap;
    const ref = (n: Node | undefined): NodeRef | undefined => (n ? { start: n.startIndex, end: n.endIndex, type: n.type } : undefined);
    const t = (n: Node | undefined) => (n ? this.text.slice(n.startIndex, n.endIndex) : '');
    const names: [string, BindingSnap[]][] = [];
    for (const [name, list] of this.module.bindings) {
      names.push([
        name,
        list.map((b) => {
          if (b instanceof CarriedBinding) return b.snap;
          return {
            name, kind: b.kind, start: b.start, module: b.module, importedName: b.importedName,
            site: ref(b.site)!, stmt: ref(b.stmt), value: ref(b.value), type: ref(b.type), bases: b.bases?.map((n) => ref(n)!), def: ref(b.def),
            sig: `${b.kind}|${b.module ?? ''}|${b.importedName ?? ''}|${t(b.value)}|${t(b.type)}|${(b.bases ?? []).map(t).join(',')}`,
          };
        }),
      ]);
    }
    const scopes: ScopeSnap[] = [];
    for (const sc of this.scopes.values()) {
      if (sc.parent !== this.module) continue;
      // (a carried-over scope's is its snapshot: a top-level edit's snapshot made the Flask module's 700 anew)
      scopes.push(sc instanceof CarriedScope ? sc.snap : { kind: sc.kind as 'function' | 'class', node: ref(sc.node)!, start: sc.start, end: sc.end, bodyStart: sc.bodyStart, paramsStart: sc.paramsStart, paramsEnd: sc.paramsEnd, locals: sc.locals });
    }
    return (this.snap = { names, wildcards: [...this.module.wildcardModules], scopes });
  }

  /**
   * Rebuilds the module level from an earlier tree's snapshot; false (nothing done) when an offset does not move.
   * `recollect`: top-level statements of this tree an edit touched: their bindings and definitions are collected
   * afresh, the earlier ones inside them (or inside an edit) dropped; every other one is carried over.
   */
  private carryModule(snap: ModuleSnapshot, edits: readonly OffsetEdit[], recollect?: readonly Node[], edited?: (start: number, end: number) => boolean): boolean {
    if (recollect?.length && snap.wildcards.length) return false; // (star imports are kept without their place)
    if (!recollect?.length && edits.length === 1 && insideABody(snap.scopes, edits[0])) return this.carryDeferred(snap, edits[0], edited);
    const move = (x: number) => moveThrough(edits, x);
    const spans = (recollect ?? []).map((n) => [n.startIndex, n.endIndex] as const);
    // an earlier binding or definition whose first offset lies in a re-collected statement or inside an edit
    const dropped = (x: number) => {
      if (!recollect) return false;
      const y = move(x);
      return y === undefined || spans.some(([s, e]) => s <= y && y < e);
    };
    let lost = false;
    // (what an edit did not move is shared with the earlier snapshot: a module of 1,300 bindings made them all anew)
    const markLost = () => {
      lost = true;
    };
    const locate = this.locator();
    const names = new Set<string>();
    const moved = snap.names.map(([name, list]) =>
      (recollect
        ? list.filter((b) => {
            if (!dropped(b.site.start)) return true;
            names.add(name);
            return false;
          })
        : list)
        .map((b) => movedSnap(b, move, markLost)),
    );
    const scopes = movedScopes(recollect ? snap.scopes.filter((s0) => !dropped(s0.node.start)) : snap.scopes, move, markLost, edited);
    if (lost) return false;
    for (const list of moved) for (const b of list) this.module.add(new CarriedBinding(b, this.module, locate));
    this.module.wildcardModules.push(...snap.wildcards);
    this.addCarriedScopes(scopes, locate);
    if (!recollect) {
      this.snap = { names: snap.names.map(([name], i) => [name, moved[i]]), wildcards: snap.wildcards, scopes };
      return true;
    }
    // each re-collected statement's bindings go between the carried ones before and after it, in their own order
    const pos = (b: Binding) => (b instanceof CarriedBinding ? b.snap.site.start : b.site.startIndex);
    for (const st of recollect) {
      const tmp = new Scope('module', st, undefined);
      const from = this.fresh.length;
      this.collectStmt(st, tmp);
      for (const sc of this.fresh.slice(from)) if (sc.parent === tmp) (sc as { parent: Scope }).parent = this.module;
      this.module.wildcardModules.push(...tmp.wildcardModules);
      for (const [name, list] of tmp.bindings) {
        names.add(name);
        for (const b of list) b.scope = this.module;
        const into = this.module.bindings.get(name);
        if (!into) {
          this.module.bindings.set(name, list);
          continue;
        }
        let at = 0;
        while (at < into.length && pos(into[at]) < st.startIndex) at++;
        into.splice(at, 0, ...list);
      }
    }
    this.recollectedNames = names;
    return true;
  }

  /**
   * The module level carried over whole by one edit inside a definition's body (insideABody: no module-level offset
   * lies in what it removed): the definitions moved now, the bindings when first read (DeferredSnapshot).
   */
  private carryDeferred(snap: ModuleSnapshot, edit: OffsetEdit, edited?: (start: number, end: number) => boolean): boolean {
    // (past this many edits the records are moved and made anew once: reading one moves it through every edit)
    const earlier = snap instanceof DeferredSnapshot && snap.edits.length < MAX_DEFERRED_EDITS ? snap : undefined;
    let lost = false;
    const scopes = movedScopes(snap.scopes, (x) => moveThrough([edit], x), () => (lost = true), edited);
    if (lost) return false;
    const deferred = new DeferredSnapshot(earlier ? earlier.base : snapshotNames(snap), earlier ? [...earlier.edits, edit] : [edit], snap.wildcards, scopes);
    const locate = this.locator();
    this.module.adopt(new DeferredBindings(deferred, this.carriedBinding(locate)));
    this.module.wildcardModules.push(...snap.wildcards);
    this.addCarriedScopes(scopes, locate);
    this.snap = deferred;
    return true;
  }

  /** The module level's definitions of a snapshot, in this tree (their bodies collected when first read). */
  private addCarriedScopes(scopes: readonly ScopeSnap[], locate: (r: NodeRef) => () => Node) {
    for (const s0 of scopes) {
      const sc = new CarriedScope(s0, locate(s0.node), this.module);
      sc.collector = this.bodyCollector(sc);
      this.scopes.set(sc.start, sc);
      this.fresh.push(sc);
    }
  }

  // The closures a carried binding or scope keeps are made in these methods, not in carryModule: one made there
  // would keep carryModule's whole scope alive (the edit's offset map, and through it the previous analysis, which
  // kept the one before it: 59 analyses, 89 MB, after 200 edits of the Flask module).

  /** A carried-over node's finder in this tree. */
  private locator(): (r: NodeRef) => () => Node {
    const tree = this.tree;
    return (r) => () => nodeAt(tree, r);
  }

  /** What makes a carried-over binding of the module scope from its record. */
  private carriedBinding(locate: (r: NodeRef) => () => Node): (b: BindingSnap) => Binding {
    const module = this.module;
    return (b) => new CarriedBinding(b, module, locate);
  }

  /** What collects a carried-over scope (in this tree) on first use. */
  private bodyCollector(sc: Scope): () => void {
    return () => {
      const n = sc.node;
      if (sc.kind === 'function') this.collectParams(n, sc);
      const body = n.childForFieldName('body');
      if (body) this.collect(body, sc);
      if (sc.kind === 'function') this.noteLocals(sc);
    };
  }

  /**
   * Keeps the names a just-collected module-level function binds: the snapshot carries them to the next analyses,
   * which then know a name there is local without collecting the function again. A name the function binds is not
   * the module's anywhere inside it, in a comprehension, a nested function or a class there too: each looks in its
   * own names, then in the function's (the Flask module's views with a comprehension were collected again for each
   * occurrence of a name an error bound at module level).
   */
  private noteLocals(sc: Scope) {
    if (sc.parent?.kind !== 'module') return;
    const locals = new Set(sc.bindings.keys());
    sc.locals = locals;
    if (sc instanceof CarriedScope) sc.snap.locals = locals; // (its snapshot: this analysis's, or one no edit touched)
  }

  /**
   * Whether a name at offset x is one the module-level function around it binds, known without collecting it (its
   * locals, carried over): false when that is not known. scopeAtOffset, then the scope's bindings, say the same.
   */
  bindsLocally(x: number, name: string): boolean {
    const sc = this.registeredScopeAt(x, x + name.length);
    return sc?.kind === 'function' && !!sc.locals && sc.locals.has(name);
  }

  /** Whether the module level was carried over from an earlier tree (carryModule). */
  carried = false;
  /** Whether all of it was: no statement collected again (its bindings, signatures and definitions are the earlier ones, moved). */
  carriedWhole = false;
  /**
   * When it was carried over in part: the names bound, before or now, in the statements collected again. Every other
   * name's bindings are the earlier ones, moved.
   */
  recollectedNames: ReadonlySet<string> | undefined;

  // ---------- collection ----------

  private collect(block: Node, scope: Scope) {
    for (const child of block.namedChildren) if (child) this.collectStmt(child, scope);
  }

  private collectStmt(n: Node, scope: Scope) {
    switch (n.type) {
      case 'import_statement':
        for (const c of n.childrenForFieldName('name')) {
          if (!c) continue;
          if (c.type === 'aliased_import') {
            const alias = c.childForFieldName('alias');
            const mod = c.childForFieldName('name');
            if (alias && mod) scope.add({ name: alias.text, kind: 'import', start: n.endIndex, site: c, stmt: n, module: mod.text, scope });
          } else {
            const first = c.text.split('.')[0];
            scope.add({ name: first, kind: 'import', start: n.endIndex, site: c, stmt: n, module: first, scope });
          }
        }
        return;
      case 'import_from_statement': {
        const modNode = n.childForFieldName('module_name');
        const module = modNode ? this.absoluteModule(modNode) : '';
        if (n.namedChildren.some((c) => c?.type === 'wildcard_import')) {
          scope.wildcardModules.push(module);
          return;
        }
        for (const c of n.childrenForFieldName('name')) {
          if (!c) continue;
          if (c.type === 'aliased_import') {
            const alias = c.childForFieldName('alias');
            const nm = c.childForFieldName('name');
            if (alias && nm) scope.add({ name: alias.text, kind: 'from-import', start: n.endIndex, site: c, stmt: n, module, importedName: nm.text, scope });
          } else {
            scope.add({ name: c.text, kind: 'from-import', start: n.endIndex, site: c, stmt: n, module, importedName: c.text, scope });
          }
        }
        return;
      }
      case 'future_import_statement':
        return;
      case 'decorated_definition': {
        const def = n.childForFieldName('definition');
        if (def) this.collectStmt(def, scope);
        return;
      }
      case 'function_definition': {
        const name = n.childForFieldName('name');
        if (name) scope.add({ name: name.text, kind: 'def', start: n.startIndex, site: name, stmt: n, def: n, scope });
        const fscope = this.newScope('function', n, scope);
        fscope.collector = () => {
          this.collectParams(n, fscope);
          const body = n.childForFieldName('body');
          if (body) this.collect(body, fscope);
          this.noteLocals(fscope);
        };
        return;
      }
      case 'class_definition': {
        const name = n.childForFieldName('name');
        const sup = n.childForFieldName('superclasses');
        const bases = sup ? sup.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument') : [];
        if (name) scope.add({ name: name.text, kind: 'class', start: n.startIndex, site: name, stmt: n, bases, def: n, scope });
        const cscope = this.newScope('class', n, scope);
        cscope.collector = () => {
          const body = n.childForFieldName('body');
          if (body) this.collect(body, cscope);
        };
        return;
      }
      case 'expression_statement':
        for (const c of n.namedChildren) if (c) this.collectExpr(c, scope, n);
        return;
      case 'for_statement':
      case 'async_for_statement': {
        const left = n.childForFieldName('left');
        if (left) this.bindTargets(left, scope, n, undefined);
        break;
      }
      case 'with_statement':
        for (const item of n.descendantsOfType('as_pattern_target')) if (item) this.bindTargets(item, scope, n, undefined);
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        return;
    }
    // compound statements: recurse into their blocks, staying in this scope
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'block') this.collect(c, scope);
      else if (['else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'except_group_clause', 'case_clause', 'with_clause'].includes(c.type)) {
        if (c.type === 'except_clause') {
          const alias = c.descendantsOfType('as_pattern_target')[0];
          if (alias) this.bindTargets(alias, scope, c, undefined);
        }
        for (const cc of c.namedChildren) if (cc?.type === 'block') this.collect(cc, scope);
        if (c.type === 'case_clause') for (const cc of c.namedChildren) if (cc?.type === 'block') this.collect(cc, scope);
      } else if (c.type === 'match_statement' || c.type === 'case_block') this.collectStmt(c, scope);
    }
  }

  private newScope(kind: 'function' | 'class', n: Node, parent: Scope): Scope {
    const sc = new Scope(kind, n, parent);
    sc.start = n.startIndex;
    sc.end = n.endIndex;
    const body = n.childForFieldName('body');
    if (body) sc.bodyStart = body.startIndex;
    if (kind === 'function') {
      const params = n.childForFieldName('parameters');
      if (params) {
        sc.paramsStart = params.startIndex;
        sc.paramsEnd = params.endIndex;
      }
    }
    this.scopes.set(sc.start, sc);
    this.fresh.push(sc);
    return sc;
  }

  private collectExpr(e: Node, scope: Scope, stmt: Node) {
    if (e.type === 'assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const type = e.childForFieldName('type');
      if (left) {
        if (left.type === 'identifier') {
          scope.add({ name: left.text, kind: 'assign', start: stmt.endIndex, site: left, stmt, value: right?.type === 'assignment' ? undefined : right ?? undefined, type: type ?? undefined, scope });
        } else this.bindTargets(left, scope, stmt, undefined);
      }
      if (right?.type === 'assignment') this.collectExpr(right, scope, stmt);
    } else if (e.type === 'augmented_assignment') {
      const left = e.childForFieldName('left');
      if (left?.type === 'identifier') scope.add({ name: left.text, kind: 'other', start: stmt.endIndex, site: left, stmt, scope });
    }
    // (a walk of the expression in wasm for each statement: only where the text holds a `:=`)
    if (this.walrus) for (const w of e.descendantsOfType('named_expression')) {
      const nm = w?.childForFieldName('name');
      if (nm) scope.add({ name: nm.text, kind: 'other', start: w!.endIndex, site: nm, stmt, scope });
    }
  }

  private bindTargets(t: Node, scope: Scope, stmt: Node, value: Node | undefined) {
    // (the value is bound only to a target that is one name)
    for (const id of targetIdentifiers(t)) {
      const v = id === t ? value : undefined;
      scope.add({ name: id.text, kind: v ? 'assign' : 'other', start: stmt.startIndex, site: id, stmt, value: v, scope });
    }
  }

  private collectParams(fn: Node, scope: Scope) {
    const params = fn.childForFieldName('parameters');
    if (!params) return;
    for (const p of params.namedChildren) {
      if (!p) continue;
      let id: Node | null = null;
      let type: Node | null = null;
      switch (p.type) {
        case 'identifier': id = p; break;
        case 'typed_parameter': id = p.namedChildren.find((c) => c?.type === 'identifier') ?? null; type = p.childForFieldName('type'); break;
        case 'default_parameter': id = p.childForFieldName('name'); break;
        case 'typed_default_parameter': id = p.childForFieldName('name'); type = p.childForFieldName('type'); break;
        case 'list_splat_pattern': case 'dictionary_splat_pattern': id = p.namedChildren.find((c) => c?.type === 'identifier') ?? null; break;
      }
      if (id) scope.add({ name: id.text, kind: 'param', start: fn.startIndex, site: id, stmt: fn, type: type ?? undefined, scope });
    }
  }

  private absoluteModule(modNode: Node): string {
    if (modNode.type !== 'relative_import') return modNode.text;
    const prefix = modNode.namedChildren.find((c) => c?.type === 'import_prefix')?.text ?? modNode.text.match(/^\.+/)?.[0] ?? '.';
    const rest = modNode.namedChildren.find((c) => c?.type === 'dotted_name')?.text;
    return absoluteImport({ name: this.moduleName, isPackage: this.isPackage }, prefix.length, rest);
  }

  // ---------- lookup ----------

  /** every registered scope by start; scopes registered since (a lazy collection adds those defined in it) */
  private sortedScopes: Scope[] = [];
  private fresh: Scope[] = [];

  private sorted(): Scope[] {
    if (!this.fresh.length) return this.sortedScopes;
    // merged, not sorted again: a file's collections would cost n² log n
    const add = this.fresh.sort((a, b) => a.start - b.start);
    const old = this.sortedScopes;
    const out: Scope[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < add.length) out.push(j >= add.length || (i < old.length && old[i].start <= add[j].start) ? old[i++] : add[j++]);
    this.fresh = [];
    return (this.sortedScopes = out);
  }

  /**
   * The scope a node's names are looked up in. The enclosing definitions are found by offset among the collected
   * scopes (innermost first, along Scope.parent), not by walking Node.parent: web-tree-sitter finds a parent by
   * descending from the root, so a parent walk costs depth² and deeply nested code (10,000 brackets) took minutes.
   */
  scopeOf(node: Node): Scope {
    const id = node.id;
    const memo = this.scopeMemo.get(id);
    if (memo) return memo;
    const sc = this.scopeAt(node);
    this.scopeMemo.set(id, sc);
    return sc;
  }

  private readonly scopeMemo = new Map<number, Scope>();

  private scopeAt(node: Node): Scope {
    // a definition not collected yet may hold definitions not registered yet: collect it and look again
    for (;;) {
      const found = this.registeredScopeAt(node.startIndex, node.endIndex, node)!;
      if (found.collected || found.kind === 'module') return found;
      found.ensure();
    }
  }

  /**
   * The scope of a name at [start, end], found by offset alone (scopeOf without a node: an edit asks it for every
   * occurrence of a changed name); undefined inside a parameter list, where only the node can tell.
   */
  scopeAtOffset(start: number, end: number): Scope | undefined {
    for (;;) {
      const found = this.registeredScopeAt(start, end);
      if (!found || found.collected || found.kind === 'module') return found;
      found.ensure();
    }
  }

  /**
   * The innermost registered scope holding [ns, ne] (the node's offsets), or the first not yet collected one whose
   * body holds it; without the node, undefined where only it can tell (inside a parameter list).
   */
  private registeredScopeAt(ns: number, ne: number, node?: Node): Scope | undefined {
    const sorted = this.sorted();
    // the last scope starting at or before the node: every definition holding the node is it or one of its parents
    let lo = 0;
    let hi = sorted.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].start <= ns) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let sc: Scope | undefined = at >= 0 ? sorted[at] : undefined; sc && sc.kind !== 'module'; sc = sc.parent) {
      if (sc.start > ns || ne > sc.end) continue;
      if (sc.start === ns && sc.end === ne && (!node || SCOPE_NODES.has(node.type))) continue; // the definition itself
      // parameters' defaults and decorators are evaluated in the enclosing scope
      if (sc.bodyStart >= 0 && ns >= sc.bodyStart) return sc;
      if (sc.paramsStart >= 0 && ns >= sc.paramsStart && ne <= sc.paramsEnd) {
        if (!node) return undefined;
        const pt = node.parent?.type;
        if (pt !== 'default_parameter' && pt !== 'typed_default_parameter') {
          sc.ensure(); // (a parameter's own scope: nothing in a parameter list is defined in a nested scope)
          return sc;
        }
      }
    }
    return this.module;
  }

  functionScopeOf(fn: Node): Scope | undefined {
    // registered once the scope around it is collected
    if (!this.scopes.has(fn.startIndex)) this.scopeOf(fn);
    const sc = this.scopes.get(fn.startIndex);
    return sc?.kind === 'function' ? sc : undefined;
  }

  /**
   * The binding an identifier refers to where it stands: a comprehension's variable (Python 3 gives a comprehension
   * its own scope: `[p.to_dict() for p in posts]` never reads a `p` around it), else lookup's.
   */
  lookupNode(id: Node): Binding | undefined {
    const scope = this.scopeOf(id);
    return this.comprehensionBinding(id, scope) ?? this.lookup(id.text, scope, id.startIndex);
  }

  /** The variable of a comprehension around `id` (inside `scope`, the innermost definition) that `id` names. */
  private comprehensionBinding(id: Node, scope: Scope): Binding | undefined {
    const name = id.text;
    // (the chain from the top-level statement or the definition holding id: one cursor descent, no parent walk; and
    // only when a `for … in` of that code names it)
    const from = scope.kind === 'module' ? this.tree.rootNode.firstNamedChildForIndex(id.startIndex) : scope.node;
    if (!from || from.id === id.id || !this.forTargetsIn(from).has(name)) return undefined;
    const chain = ancestorsOf(id, from);
    if (!chain) return undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i];
      if (c.type === 'function_definition' || c.type === 'class_definition') return undefined;
      if (!COMPREHENSIONS.has(c.type)) continue;
      const clauses = c.namedChildren.filter((x): x is Node => x?.type === 'for_in_clause');
      // (the first clause's iterable is evaluated around the comprehension)
      const first = clauses[0]?.childForFieldName('right');
      if (first && first.startIndex <= id.startIndex && id.endIndex <= first.endIndex) continue;
      for (const clause of clauses) {
        const left = clause.childForFieldName('left');
        const site = left && targetIdentifiers(left).find((t) => t.text === name);
        if (site) return { name, kind: 'other', start: clause.startIndex, site, stmt: c, scope };
      }
    }
    return undefined;
  }

  /** The names the `for … in`s of a definition or top-level statement bind (the only names a comprehension can bind). */
  private forTargetsIn(n: Node): Set<string> {
    // (by start: a top-level statement and a definition never start at the same offset unless they are one node)
    const key = n.startIndex;
    let out = this.forNames.get(key);
    if (!out) {
      out = new Set<string>();
      const text = this.text.slice(n.startIndex, n.endIndex);
      if (text.includes('for')) for (const m of text.matchAll(/\bfor\s+([^\n]*?)\s+in\b/g)) for (const w of m[1].matchAll(/[\p{L}_][\p{L}\p{N}_]*/gu)) out.add(w[0]);
      this.forNames.set(key, out);
    }
    return out;
  }

  private readonly forNames = new Map<number, Set<string>>();

  /** The binding a name refers to at offset `at`, seen from `scope` (comprehension variables aside: lookupNode). */
  lookup(name: string, scope: Scope, at: number): Binding | undefined {
    let inFunction = false;
    for (let s: Scope | undefined = scope, first = true; s; s = s.parent, first = false) {
      if (!first && s.kind === 'class') continue; // class bodies are not visible from their methods
      const list = s.bindings.get(name);
      if (list?.length) {
        if (first && s.kind === 'function') {
          let best = list[0];
          for (const b of list) if (b.start <= at) best = b;
          return best;
        }
        // a function body runs after its enclosing scope has been executed: the last binding counts
        if (inFunction) return list[list.length - 1];
        let best: Binding | undefined;
        for (const b of list) if (b.start <= at) best = b;
        if (best) return best;
        if (s.kind === 'module') return undefined;
      }
      if (s.kind === 'function') inFunction = true;
    }
    return undefined;
  }

  /** Qualified name of what an expression evaluates to: 'flask.request', 'flask.Flask()', 'flask.Flask().route'. */
  resolve(node: Node | null | undefined): string | undefined {
    if (!node) return undefined;
    const cached = this.memo.get(node.id);
    if (cached !== undefined || this.memo.has(node.id)) return cached;
    if (this.depth > 40) return undefined;
    this.depth++;
    let out: string | undefined;
    try {
      out = this.resolveUncached(node);
      if (out) out = normalize(out);
    } finally {
      this.depth--;
    }
    this.memo.set(node.id, out);
    return out;
  }

  private resolveUncached(node: Node): string | undefined {
    // (an imported factory resolves to FACTORY + what it returns; only a call of it means that object)
    switch (node.type) {
      case 'identifier': {
        const b = this.lookupNode(node);
        if (!b) {
          for (let s: Scope | undefined = this.scopeOf(node); s; s = s.parent) {
            if (s.wildcardModules.length) return this.fromModule(s.wildcardModules[0], node.text);
          }
          return undefined;
        }
        return this.resolveBinding(b);
      }
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        const q = this.resolve(obj);
        return q && attr ? `${q}.${attr.text}` : undefined;
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        const ret = this.factoryReturn(fn);
        if (ret !== undefined) return ret || undefined;
        const q = this.resolve(fn);
        if (q?.startsWith(FACTORY)) return q.slice(FACTORY.length);
        return q ? `${q}()` : undefined;
      }
      case 'parenthesized_expression':
      case 'type': // an annotation wraps its expression in a `type` node
        return this.resolve(node.namedChildren[0]);
      case 'await':
        return undefined;
      default:
        return undefined;
    }
  }

  /** For a call of a local function: what its return statements resolve to ('' when not a local def). */
  private factoryReturn(fn: Node | null): string | undefined {
    if (!fn || fn.type !== 'identifier') return undefined;
    const b = this.lookupNode(fn);
    if (!b || b.kind !== 'def' || !b.def) return undefined;
    return this.returnsOf(b.def) ?? '';
  }

  private returns = new Map<number, string | undefined>();

  returnsOf(def: Node): string | undefined {
    // (asked by namesBoundTo, the engine's collectTopReturns and every call of the function that is resolved)
    if (this.returns.has(def.id)) return this.returns.get(def.id);
    const q = this.returnsUncached(def);
    this.returns.set(def.id, q);
    return q;
  }

  private returnsUncached(def: Node): string | undefined {
    const body = def.childForFieldName('body');
    if (!body) return undefined;
    // only returns of this function, not of nested ones: the nested definitions come in document order with the
    // returns, and a return before the end of the last one met is inside it (no `.parent` walk: O(depth) each)
    let nestedEnd = -1;
    for (const n of body.descendantsOfType(['return_statement', 'function_definition'])) {
      if (!n) continue;
      if (n.type === 'function_definition') {
        if (n.startIndex >= nestedEnd) nestedEnd = n.endIndex;
        continue;
      }
      if (n.startIndex < nestedEnd) continue;
      const q = this.resolve(n.namedChildren[0]);
      if (q) return q;
    }
    return undefined;
  }

  resolveBinding(b: Binding): string | undefined {
    switch (b.kind) {
      case 'import':
        return b.module;
      case 'from-import':
        return this.fromModule(b.module ?? '', b.importedName ?? b.name);
      case 'assign':
        if (b.value) {
          const q = this.resolve(b.value);
          if (q) return q;
        }
        if (b.type) {
          const t = this.resolve(b.type);
          return t ? `${t}()` : undefined;
        }
        return undefined;
      case 'param': {
        if (!b.type) return undefined;
        const t = this.resolve(b.type);
        return t ? `${t}()` : undefined;
      }
      case 'class': {
        // mixins come first by convention: the last base that resolves is the class's real kind
        let found: string | undefined;
        for (const base of b.bases ?? []) found = this.resolve(base) ?? found;
        return found;
      }
      default:
        return undefined;
    }
  }

  private fromModule(module: string, name: string): string | undefined {
    const viaIndex = this.index?.resolveExport(module, name);
    if (viaIndex) return viaIndex;
    if (!module) return undefined;
    if (this.index?.has(module)) return undefined; // a project module that does not export a framework object
    return `${module}.${name}`;
  }

  private refIndex: Map<string, Node[]> | undefined;

  /** Identifiers (not binding sites) that refer to binding `b`. */
  references(b: Binding): Node[] {
    const out: Node[] = [];
    // one walk per Bindings indexes the references by name (a walk per call cost a second per fix on 1 MB)
    const ids = (this.refIndex ??= referenceIndex(this.tree.rootNode, this.text)).get(b.name) ?? [];
    for (const id of ids) {
      if (this.lookupNode(id) === b) out.push(id);
    }
    return out;
  }

  /** Collects every scope now (collecting one registers those defined in it). */
  collectAll() {
    this.collectWhere(() => true);
  }

  /** Collects the registered scopes `which` picks, then those it picks among the scopes they register, and so on. */
  private collectWhere(which: (sc: Scope) => boolean) {
    for (let again = true; again; ) {
      again = false;
      for (const sc of [...this.scopes.values()]) {
        if (sc.collected || !which(sc)) continue;
        sc.ensure();
        again = true;
      }
    }
  }

  /**
   * Collects what a name in another statement can resolve through: the bodies of classes not inside a function (a
   * class-level name is read by the class's next statements), and every scope holding the word `import` (a
   * function's import binds a name its body reads). The rest of each function body stays uncollected.
   */
  collectVisible() {
    const root = this.tree.rootNode;
    for (const m of this.text.matchAll(/\bimport\b/g)) {
      const n = root.descendantForIndex(m.index, m.index + 6);
      if (n) this.scopeOf(n);
    }
    this.collectWhere((sc) => sc.kind === 'class' && !insideFunction(sc));
  }

  /**
   * The bindings of the scopes collected so far (none is collected by this: collectAll() first for all of them), and
   * whether one of them star-imports.
   */
  collectedBindings(): { list: Binding[]; wildcards: boolean } {
    const list: Binding[] = [];
    let wildcards = false;
    for (const s of [this.module, ...this.scopes.values()]) {
      if (!s.collected) continue;
      if (s.wildcardModules.length) wildcards = true;
      for (const l of s.bindings.values()) list.push(...l);
    }
    return { list, wildcards };
  }

  /**
   * The names that a binding visible in `units` (the module's, every class's, and those of the functions inside the
   * units) makes stand for one of `qnames` (as resolve() says of a name it binds); undefined when a star import may
   * bind any name. A name outside these resolves to none of them there.
   *
   * A function's bindings are collected only when its text names a trigger: a name found so far, an attribute's last
   * name (`attrs`), `import`, or a module-level function that returns one of `qnames`. A binding whose dependencies
   * name none of these cannot stand for one of them; a closure's name found in a function is a trigger for the
   * functions inside it in the next round. (Collecting every function in the units cost half of what finding by
   * name saved.)
   */
  namesBoundTo(qnames: ReadonlySet<string>, units: readonly Node[], attrs: ReadonlySet<string>): Set<string> | undefined {
    // units are in document order and do not nest: a binary search finds the one a scope may lie in
    const inUnit = (sc: Scope) => {
      let lo = 0;
      let hi = units.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const u = units[mid];
        if (sc.end <= u.startIndex) hi = mid - 1;
        else if (sc.start >= u.endIndex) lo = mid + 1;
        else return u.startIndex <= sc.start && sc.end <= u.endIndex;
      }
      return false;
    };
    this.collectWhere((sc) => sc.kind === 'class' && !insideFunction(sc));
    const out = new Set<string>();
    const triggers = new Set<string>([...attrs, 'import']);
    const done = new Set<Scope>();
    const stands = (q: string | undefined) => !!q && qnames.has(normalize(q));
    for (;;) {
      let wildcards = false;
      for (const sc of [this.module, ...this.scopes.values()]) {
        if (!sc.collected || done.has(sc)) continue;
        done.add(sc);
        if (sc.wildcardModules.length) wildcards = true;
        for (const [name, list] of sc.bindings) {
          for (const b of list) {
            if (!out.has(name) && stands(this.resolveBinding(b))) {
              out.add(name);
              triggers.add(name);
            }
            // a module-level function whose call stands for one (`store()` returning flask.g)
            if (sc === this.module && b.kind === 'def' && b.def && stands(this.returnsOf(b.def))) triggers.add(name);
          }
        }
      }
      if (wildcards) return undefined;
      const re = wordsRe(triggers);
      let more = false;
      this.collectWhere((sc) => {
        if (sc.kind === 'module' || done.has(sc) || !inUnit(sc) || !re.test(this.text.slice(sc.start, sc.end))) return false;
        more = true;
        return true;
      });
      if (!more) return out;
    }
  }

  /** Every import binding of the module scope (and nested scopes). */
  importBindings(): Binding[] {
    this.collectAll();
    return this.collectedBindings().list.filter((b) => b.kind === 'import' || b.kind === 'from-import');
  }
}

const NEVER_REFERENCE_PARENTS = new Set(['aliased_import', 'dotted_name', 'import_statement', 'import_from_statement']);
const PARAMETER_PARENTS = new Set(['parameters', 'typed_parameter', 'list_splat_pattern', 'dictionary_splat_pattern']);

/**
 * Every identifier that is a reference (what isReference says), by name, in document order: one cursor walk that
 * knows each node's parent and field from the cursor (Node.parent costs O(depth) in web-tree-sitter).
 */
export function referenceIndex(root: Node, text: string): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  const cursor = root.walk();
  const types: string[] = []; // types of the cursor's ancestors
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'identifier' && types.length) {
        const p = types[types.length - 1];
        const field = cursor.currentFieldName;
        let ref: boolean;
        if (p === 'attribute') ref = field !== 'attribute';
        else if (p === 'keyword_argument' || p === 'function_definition' || p === 'class_definition' || p === 'default_parameter' || p === 'typed_default_parameter') ref = field !== 'name';
        else if (NEVER_REFERENCE_PARENTS.has(p)) ref = false;
        else if (PARAMETER_PARENTS.has(p)) ref = !(p === 'parameters' || types[types.length - 2] === 'parameters');
        else ref = true;
        if (ref) {
          const name = text.slice(cursor.startIndex, cursor.endIndex);
          const list = out.get(name);
          if (list) list.push(cursor.currentNode);
          else out.set(name, [cursor.currentNode]);
        }
      }
      if (cursor.gotoFirstChild()) {
        types.push(type);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
        types.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Identifier nodes named `name` that are references, not definitions, attributes or keywords. */
export function identifierReferences(root: Node, name: string): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  let done = false;
  while (!done) {
    const n = cursor.currentNode;
    if (n.type === 'identifier' && n.text === name && isReference(n)) out.push(n);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) { done = true; break; }
    }
  }
  cursor.delete();
  return out;
}

export function isReference(id: Node): boolean {
  const p = id.parent;
  if (!p) return false;
  switch (p.type) {
    case 'attribute':
      return p.childForFieldName('attribute')?.id !== id.id;
    case 'keyword_argument':
      return p.childForFieldName('name')?.id !== id.id;
    case 'function_definition':
    case 'class_definition':
      return p.childForFieldName('name')?.id !== id.id;
    case 'aliased_import':
    case 'dotted_name':
    case 'import_statement':
    case 'import_from_statement':
      return false;
    case 'parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return p.parent?.type === 'parameters' || p.type === 'parameters' ? false : true;
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name')?.id !== id.id;
    default:
      return true;
  }
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** The identifiers a target binds (`p`, `k, v`, `(i, (a, b))`, `*rest`); an attribute or a subscript binds none. */
function targetIdentifiers(t: Node, out: Node[] = []): Node[] {
  if (t.type === 'identifier') out.push(t);
  else if (t.type !== 'attribute' && t.type !== 'subscript') for (const c of t.namedChildren) if (c) targetIdentifiers(c, out);
  return out;
}
