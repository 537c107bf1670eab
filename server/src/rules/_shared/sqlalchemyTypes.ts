// Facts about Flask-SQLAlchemy models that the flask-sqlalchemy model rules share: which classes are models,
// their table names (explicit or derived), column types and how they map to Django fields and to
// SQLAlchemy 2.0 `Mapped[...]` annotations, and the relationships declared in a file.
import type { Node } from '../../parsing/python';
import type { FixBuilder } from '../../analysis/fixBuilder';
import type { RuleMatch } from '../../analysis/rule';
import { callArgs, pyString, stringValue } from '../../analysis/fixBuilder';

/** What `db` stands for when it is a Flask-SQLAlchemy extension object. */
export const FSA_DB = 'flask_sqlalchemy.SQLAlchemy()';
export const FSA_MODEL = `${FSA_DB}.Model`;

const SA_PREFIXES = ['sqlalchemy.types.', 'sqlalchemy.sql.sqltypes.', 'sqlalchemy.schema.', 'sqlalchemy.sql.schema.', 'sqlalchemy.orm.', 'sqlalchemy.'];

/** 'flask_sqlalchemy.SQLAlchemy().Integer' / 'sqlalchemy.Integer' → 'Integer'; undefined for anything else. */
export function saName(q: string | undefined): string | undefined {
  if (!q) return undefined;
  if (q.startsWith(`${FSA_DB}.`)) {
    const rest = q.slice(FSA_DB.length + 1);
    return /^[A-Za-z_]\w*$/.test(rest) ? rest : undefined;
  }
  for (const p of SA_PREFIXES) if (q.startsWith(p) && /^[A-Za-z_]\w*$/.test(q.slice(p.length))) return q.slice(p.length);
  return undefined;
}

/** Whether a qualified name is `db.<name>` of Flask-SQLAlchemy. */
export const isFsa = (q: string | undefined, name: string) => q === `${FSA_DB}.${name}`;

/** The class definition whose body directly holds a statement. */
export function enclosingClass(stmt: Node): Node | undefined {
  const block = stmt.parent;
  return block?.type === 'block' && block.parent?.type === 'class_definition' ? block.parent : undefined;
}

export function classBases(cls: Node): Node[] {
  const sup = cls.childForFieldName('superclasses');
  return sup ? sup.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment') : [];
}

export function className(cls: Node): string {
  return cls.childForFieldName('name')?.text ?? '';
}

/** A base written `db.Model` (the extension's model class itself). */
export function isDirectModelBase(m: RuleMatch, base: Node): boolean {
  if (base.type === 'attribute') return base.childForFieldName('attribute')?.text === 'Model' && m.resolve(base.childForFieldName('object')) === FSA_DB;
  if (base.type === 'identifier') {
    const b = m.ctx.bindings.lookupNode(base);
    return !!b && b.kind === 'from-import' && m.resolve(base) === FSA_MODEL;
  }
  return false;
}

/** Whether a class is a Flask-SQLAlchemy model (directly or through a model base class). */
export function isFsaModelClass(m: RuleMatch, cls: Node): boolean {
  return classBases(cls).some((b) => m.resolve(b) === FSA_MODEL);
}

/** Statements of a class body (no comments). */
export function bodyStatements(cls: Node): Node[] {
  const body = cls.childForFieldName('body');
  return body ? body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
}

/** `name = value` statements of a class body: [statement, name, value]. */
export function classAssignments(cls: Node): { stmt: Node; name: string; value: Node; assign: Node }[] {
  const out: { stmt: Node; name: string; value: Node; assign: Node }[] = [];
  for (const s of bodyStatements(cls)) {
    if (s.type !== 'expression_statement') continue;
    const a = s.namedChildren[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right) out.push({ stmt: s, name: left.text, value: right, assign: a });
  }
  return out;
}

export function classAttr(cls: Node, name: string): Node | undefined {
  return classAssignments(cls).find((a) => a.name === name)?.value;
}

export function isAbstract(cls: Node): boolean {
  if (classAttr(cls, '__abstract__')?.text === 'True') return true;
  const meta = bodyStatements(cls).find((s) => s.type === 'class_definition' && className(s) === 'Meta');
  return !!meta && classAttr(meta, 'abstract')?.text === 'True';
}

/** Flask-SQLAlchemy 3's default table name: `camel_to_snake_case(cls.__name__)`. */
export function snakeCase(name: string): string {
  return name.replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1').toLowerCase().replace(/^_+/, '');
}

/** The class's table: `__tablename__`, Django's `Meta.db_table`, or Flask-SQLAlchemy's derived name. */
export function tableNameOf(m: RuleMatch, cls: Node): string | undefined {
  const explicit = stringValue(classAttr(cls, '__tablename__'));
  if (explicit !== undefined) return explicit;
  const meta = bodyStatements(cls).find((s) => s.type === 'class_definition' && className(s) === 'Meta');
  const dbTable = meta ? stringValue(classAttr(meta, 'db_table')) : undefined;
  if (dbTable !== undefined) return dbTable;
  if (isAbstract(cls)) return undefined;
  if (isFsaModelClass(m, cls)) return snakeCase(className(cls));
  return undefined;
}

/** Module-level classes of the file. */
export function moduleClasses(m: RuleMatch): Node[] {
  const out: Node[] = [];
  for (const c of m.ctx.tree.rootNode.namedChildren) {
    if (!c) continue;
    const def = c.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
    if (def?.type === 'class_definition') out.push(def);
  }
  return out;
}

/** The class of this file mapped to a table name; undefined when none or several. */
export function classForTable(m: RuleMatch, table: string): Node | undefined {
  const found = moduleClasses(m).filter((c) => tableNameOf(m, c) === table);
  return found.length === 1 ? found[0] : undefined;
}

export function classNamed(m: RuleMatch, name: string): Node | undefined {
  return moduleClasses(m).find((c) => className(c) === name);
}

// ---------------------------------------------------------------- columns

export interface ColumnInfo {
  call: Node;
  /** the explicit column name: `db.Column("user_name", …)` */
  nameArg?: Node;
  /** the type expression (`db.String(80)`, `db.Integer`) */
  typeNode?: Node;
  /** 'String', 'Integer', … */
  typeName?: string;
  typeArgs: Node[];
  typeKw: Map<string, Node>;
  /** the `db.ForeignKey(...)` call */
  fk?: Node;
  kw: Map<string, Node>;
  other: Node[];
  splats: Node[];
}

export function calleeOf(n: Node | undefined): Node | undefined {
  return n?.type === 'call' ? n.childForFieldName('function') ?? undefined : n;
}

/** The parts of a `db.Column(...)` call. */
export function parseColumn(m: RuleMatch, call: Node): ColumnInfo {
  const a = callArgs(call);
  const info: ColumnInfo = { call, typeArgs: [], typeKw: new Map(), kw: a.keywords, other: [], splats: a.splats };
  for (const p of a.positional) {
    if (p.type === 'string' && !info.nameArg && !info.typeNode) {
      info.nameArg = p;
      continue;
    }
    const name = saName(m.resolve(calleeOf(p)));
    if (name === 'ForeignKey' && p.type === 'call') {
      info.fk = p;
      continue;
    }
    if (!info.typeNode && name && TYPES[name]) {
      info.typeNode = p;
      info.typeName = name;
      if (p.type === 'call') {
        const ta = callArgs(p);
        info.typeArgs = ta.positional;
        info.typeKw = ta.keywords;
      }
      continue;
    }
    info.other.push(p);
  }
  const typeKw = a.keywords.get('type_');
  if (typeKw && !info.typeNode) {
    const name = saName(m.resolve(calleeOf(typeKw)));
    if (name && TYPES[name]) {
      info.typeNode = typeKw;
      info.typeName = name;
      if (typeKw.type === 'call') {
        const ta = callArgs(typeKw);
        info.typeArgs = ta.positional;
        info.typeKw = ta.keywords;
      }
    }
  }
  return info;
}

/** Whether a column call holds a `db.ForeignKey(...)`. */
export function hasForeignKey(m: RuleMatch, call: Node): boolean {
  return !!parseColumn(m, call).fk;
}

/** A `db.Column(...)` (or, inside a db.Model subclass, `sa.Column(...)`) assigned in a model class body. */
export function isModelColumn(m: RuleMatch, callee: Node, assignStmt: Node): boolean {
  const q = m.resolve(callee);
  const cls = enclosingClass(assignStmt);
  if (!cls) return false;
  if (isFsa(q, 'Column')) return true;
  if (q === 'sqlalchemy.Column' || q === 'sqlalchemy.schema.Column' || q === 'sqlalchemy.sql.schema.Column') return isFsaModelClass(m, cls);
  return false;
}

interface TypeSpec {
  /** python type for Mapped[...]: [module, name] or a builtin */
  py: readonly [string, string] | string;
  /** Mapped[py] alone implies this type (when the type has no arguments) */
  implied: boolean;
  django: string;
}

export const TYPES: Record<string, TypeSpec | undefined> = {
  Integer: { py: 'int', implied: true, django: 'IntegerField' },
  SmallInteger: { py: 'int', implied: false, django: 'SmallIntegerField' },
  BigInteger: { py: 'int', implied: false, django: 'BigIntegerField' },
  String: { py: 'str', implied: true, django: 'CharField' },
  Unicode: { py: 'str', implied: false, django: 'CharField' },
  Text: { py: 'str', implied: false, django: 'TextField' },
  UnicodeText: { py: 'str', implied: false, django: 'TextField' },
  Boolean: { py: 'bool', implied: true, django: 'BooleanField' },
  Float: { py: 'float', implied: true, django: 'FloatField' },
  Numeric: { py: ['decimal', 'Decimal'], implied: true, django: 'DecimalField' },
  DateTime: { py: ['datetime', 'datetime'], implied: true, django: 'DateTimeField' },
  Date: { py: ['datetime', 'date'], implied: true, django: 'DateField' },
  Time: { py: ['datetime', 'time'], implied: true, django: 'TimeField' },
  Interval: { py: ['datetime', 'timedelta'], implied: true, django: 'DurationField' },
  LargeBinary: { py: 'bytes', implied: true, django: 'BinaryField' },
  JSON: { py: 'dict[str, Any]', implied: false, django: 'JSONField' },
  Uuid: { py: ['uuid', 'UUID'], implied: true, django: 'UUIDField' },
  UUID: { py: ['uuid', 'UUID'], implied: true, django: 'UUIDField' },
  Enum: { py: 'str', implied: false, django: 'CharField' },
  PickleType: { py: 'Any', implied: false, django: 'BinaryField' },
};

/** The local name for `module.name` in this file: an existing import of it, else a new `from module import name`. */
export function pyName(m: RuleMatch, fx: FixBuilder, module: string, name: string): string {
  for (const list of m.ctx.bindings.module.bindings.values()) {
    for (const b of list) {
      if (b.kind === 'from-import' && b.module === module && b.importedName === name) return b.name;
    }
  }
  for (const list of m.ctx.bindings.module.bindings.values()) {
    for (const b of list) if (b.kind === 'import' && b.module === module) return `${b.name}.${name}`;
  }
  return fx.importFrom(module, name);
}

/** The Python type a column holds, written for this file (`int`, `datetime.datetime`, `Decimal`, …). */
export function pyTypeOf(m: RuleMatch, fx: FixBuilder, info: ColumnInfo): string {
  const spec = info.typeName ? TYPES[info.typeName] : undefined;
  if (!spec) return 'int';
  if (info.typeName === 'Enum' && info.typeArgs.length === 1 && info.typeArgs[0].type !== 'string') return fx.text(info.typeArgs[0]);
  if (typeof spec.py !== 'string') return pyName(m, fx, spec.py[0], spec.py[1]);
  if (spec.py.includes('Any')) return spec.py.replace(/\bAny\b/g, fx.importFrom('typing', 'Any'));
  return spec.py;
}

/** Whether `Mapped[py]` alone gives the column's type (so mapped_column() needs no type argument). */
export function typeImplied(info: ColumnInfo): boolean {
  const spec = info.typeName ? TYPES[info.typeName] : undefined;
  if (!spec || !info.typeNode) return !info.typeNode;
  if (!spec.implied) return false;
  if (info.typeNode.type === 'call' && (info.typeArgs.length || info.typeKw.size)) return false;
  return true;
}

/**
 * The source of a node with each `db.X` replaced by X imported from the module `moduleOf(X)` returns (X is left as
 * `db.X` when it returns undefined).
 */
export function respellDb(m: RuleMatch, fx: FixBuilder, node: Node, moduleOf: (attr: string) => string | undefined): string {
  const reps: { start: number; end: number; text: string }[] = [];
  const visit = (n: Node) => {
    if (n.type === 'attribute' && m.resolve(n.childForFieldName('object')) === FSA_DB) {
      const attr = n.childForFieldName('attribute')!.text;
      const mod = moduleOf(attr);
      if (mod) {
        reps.push({ start: n.startIndex, end: n.endIndex, text: fx.importFrom(mod, attr) });
        return;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(node);
  let out = '';
  let pos = node.startIndex;
  for (const r of reps) {
    out += fx.source.slice(pos, r.start) + r.text;
    pos = r.end;
  }
  return out + fx.source.slice(pos, node.endIndex);
}

/**
 * The source of a node with each `db.X` (X a SQLAlchemy name) replaced by X imported from sqlalchemy
 * (`db.String(80)` → `String(80)`, `db.func.now()` → `func.now()`).
 */
export function saText(m: RuleMatch, fx: FixBuilder, node: Node): string {
  return respellDb(m, fx, node, (attr) => (ORM_NAMES.has(attr) ? 'sqlalchemy.orm' : 'sqlalchemy'));
}

const ORM_NAMES = new Set(['relationship', 'backref', 'mapped_column', 'Mapped', 'column_property', 'synonym', 'deferred', 'declared_attr', 'validates', 'foreign', 'remote']);

/** Whether an expression is a "now" callable: `datetime.utcnow`, `datetime.now`, `datetime.datetime.utcnow`, `func.now()`, … */
export function isNowExpr(m: RuleMatch, n: Node | undefined): boolean {
  if (!n) return false;
  const q = m.resolve(n);
  if (q && ['datetime.datetime.utcnow', 'datetime.datetime.now', 'datetime.datetime.today'].includes(q)) return true;
  if (n.type === 'call') {
    const cq = m.resolve(n.childForFieldName('function'));
    if (cq && (/(^|\.)func\.(now|current_timestamp|localtimestamp)$/.test(cq) || cq === 'sqlalchemy.sql.functions.now')) return true;
  }
  return false;
}

/** The indentation of a class body's statements. */
export function bodyIndentOf(fx: FixBuilder, cls: Node): string {
  return fx.bodyIndent(cls);
}

// ---------------------------------------------------------------- relationships

export interface RelInfo {
  cls: Node;
  stmt: Node;
  name: string;
  call: Node;
  /** the target class name */
  target?: string;
  kw: Map<string, Node>;
  kwNodes: Map<string, Node>;
  /** the backref name (`backref="posts"` or `backref=db.backref("posts", …)`) */
  backref?: string;
  backrefNode?: Node;
  backPopulates?: string;
}

export function relationshipTarget(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  const s = stringValue(n);
  if (s !== undefined) return /^[A-Za-z_][\w.]*$/.test(s) ? s.split('.').pop() : undefined;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'lambda') return relationshipTarget(n.childForFieldName('body') ?? undefined);
  return undefined;
}

export function isRelationshipCall(m: RuleMatch, call: Node | undefined): boolean {
  if (call?.type !== 'call') return false;
  const q = m.resolve(call.childForFieldName('function'));
  return isFsa(q, 'relationship') || q === 'sqlalchemy.orm.relationship';
}

export function parseRelationship(m: RuleMatch, cls: Node, stmt: Node, name: string, call: Node): RelInfo {
  const a = callArgs(call);
  const info: RelInfo = { cls, stmt, name, call, target: relationshipTarget(a.positional[0] ?? a.keywords.get('argument')), kw: a.keywords, kwNodes: a.keywordNodes };
  const br = a.keywords.get('backref');
  if (br) {
    info.backrefNode = br;
    const s = stringValue(br);
    if (s !== undefined) info.backref = s;
    else if (br.type === 'call') info.backref = stringValue(callArgs(br).positional[0]);
  }
  const bp = stringValue(a.keywords.get('back_populates'));
  if (bp !== undefined) info.backPopulates = bp;
  return info;
}

/** Every `x = db.relationship(...)` in the model classes of the file. */
export function relationshipsInFile(m: RuleMatch): RelInfo[] {
  const out: RelInfo[] = [];
  for (const cls of moduleClasses(m)) {
    for (const a of classAssignments(cls)) {
      if (isRelationshipCall(m, a.value)) out.push(parseRelationship(m, cls, a.stmt, a.name, a.value));
    }
  }
  return out;
}

export interface FkInfo {
  cls: Node;
  stmt: Node;
  /** attribute name: `author_id` */
  name: string;
  /** the referenced class name */
  target?: string;
  /** the referenced column ('id') */
  column?: string;
}

/** Foreign keys held by a class: `db.Column(db.ForeignKey("t.c"))`, `mapped_column(ForeignKey(...))`, or an already ported `models.ForeignKey("C", …)`. */
export function foreignKeysOf(m: RuleMatch, cls: Node): FkInfo[] {
  const out: FkInfo[] = [];
  for (const a of classAssignments(cls)) {
    if (a.value.type !== 'call') continue;
    const fn = a.value.childForFieldName('function');
    const q = m.resolve(fn);
    if (q === 'django.db.models.ForeignKey' || q === 'django.db.models.OneToOneField') {
      const first = callArgs(a.value).positional[0];
      out.push({ cls, stmt: a.stmt, name: a.name, target: relationshipTarget(first) });
      continue;
    }
    for (const p of callArgs(a.value).positional) {
      if (p.type !== 'call' || saName(m.resolve(p.childForFieldName('function'))) !== 'ForeignKey') continue;
      const ref = stringValue(callArgs(p).positional[0]);
      const dot = ref?.lastIndexOf('.') ?? -1;
      if (!ref || dot < 0) {
        out.push({ cls, stmt: a.stmt, name: a.name });
        continue;
      }
      const target = classForTable(m, ref.slice(0, dot));
      out.push({ cls, stmt: a.stmt, name: a.name, target: target ? className(target) : undefined, column: ref.slice(dot + 1) });
    }
  }
  return out;
}

/** The `x = db.Table("name", …)` statements of the module: variable → table name. */
export function tablesInFile(m: RuleMatch): Map<string, { stmt: Node; call: Node; table?: string }> {
  const out = new Map<string, { stmt: Node; call: Node; table?: string }>();
  for (const s of m.ctx.tree.rootNode.namedChildren) {
    if (s?.type !== 'expression_statement') continue;
    const a = s.namedChildren[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const q = m.resolve(right.childForFieldName('function'));
    if (!isFsa(q, 'Table') && q !== 'sqlalchemy.Table' && q !== 'sqlalchemy.schema.Table') continue;
    out.set(left.text, { stmt: s, call: right, table: stringValue(callArgs(right).positional[0]) });
  }
  return out;
}

/** The declarative base every SQLAlchemy 2.0 fix defines once per module (same text, so it is added once). */
export function baseCode(declarativeBase: string): string {
  return `\nclass Base(${declarativeBase}):\n    pass\n`;
}

// ---------------------------------------------------------------- column conversions

/** Whether a column allows NULL: 'yes', 'no', or the expression given to nullable=. */
export function nullability(info: ColumnInfo): 'yes' | 'no' | Node {
  const n = info.kw.get('nullable');
  if (n?.text === 'False') return 'no';
  if (n?.text === 'True') return 'yes';
  if (n) return n;
  return info.kw.get('primary_key')?.text === 'True' ? 'no' : 'yes';
}

/** `name: Mapped[T] = mapped_column(...)` for a Flask-SQLAlchemy column (its ForeignKey kept). */
export function sa2Column(m: RuleMatch, fx: FixBuilder, attr: string, info: ColumnInfo): string | undefined {
  if (info.splats.length) return undefined;
  if (info.typeNode === undefined && !info.fk) return undefined;
  const mapped = fx.importFrom('sqlalchemy.orm', 'Mapped');
  const mc = fx.importFrom('sqlalchemy.orm', 'mapped_column');
  const py = pyTypeOf(m, fx, info);
  const nul = nullability(info);
  const args: string[] = [];
  if (info.nameArg) args.push(fx.text(info.nameArg));
  if (info.typeNode && !typeImplied(info)) args.push(saText(m, fx, info.typeNode));
  if (info.fk) args.push(saText(m, fx, info.fk));
  for (const o of info.other) args.push(saText(m, fx, o));
  for (const [k, v] of info.kw) {
    if (k === 'type_') continue;
    if (k === 'nullable' && typeof nul === 'string') continue;
    args.push(`${k}=${saText(m, fx, v)}`);
  }
  const t = nul === 'yes' ? `${py} | None` : py;
  return `${attr}: ${mapped}[${t}] = ${mc}(${args.join(', ')})`;
}

/** The Django field type and its type-specific arguments; `todo` when a person must decide something. */
export function djangoFieldType(m: RuleMatch, fx: FixBuilder, info: ColumnInfo): { field: string; args: string[]; todo?: string } | undefined {
  const spec = info.typeName ? TYPES[info.typeName] : undefined;
  if (!spec) return undefined;
  const pos = info.typeArgs;
  const kw = info.typeKw;
  switch (info.typeName) {
    case 'String':
    case 'Unicode': {
      const len = kw.get('length') ?? pos[0];
      if (!len) return { field: 'TextField', args: [], todo: 'String without a length became a TextField: use CharField(max_length=...) if it is short text' };
      return { field: 'CharField', args: [`max_length=${fx.text(len)}`] };
    }
    case 'Numeric': {
      const p = kw.get('precision') ?? pos[0];
      const s = kw.get('scale') ?? pos[1];
      if (!p || !s) return { field: 'DecimalField', args: ['max_digits=19', 'decimal_places=4'], todo: 'Numeric without precision/scale: Django requires max_digits and decimal_places; check them against the column' };
      return { field: 'DecimalField', args: [`max_digits=${fx.text(p)}`, `decimal_places=${fx.text(s)}`] };
    }
    case 'Enum': {
      const lits = pos.map((p) => stringValue(p));
      if (pos.length && lits.every((l) => l !== undefined)) {
        const max = Math.max(...lits.map((l) => l!.length));
        return { field: 'CharField', args: [`max_length=${max}`, `choices=[${lits.map((l) => `(${pyString(l!)}, ${pyString(l!)})`).join(', ')}]`] };
      }
      return { field: 'CharField', args: ['max_length=50'], todo: `Enum column became a CharField: add choices (a models.TextChoices for ${pos[0] ? fx.text(pos[0]) : 'the enum'}); SQLAlchemy stored the enum member names` };
    }
    case 'PickleType':
      return { field: 'BinaryField', args: [], todo: 'PickleType has no Django field: unpickle the bytes yourself or move to a JSONField' };
    default:
      return { field: spec.django, args: [] };
  }
}

/**
 * Django keyword arguments for a column's options: unique, index, nullable, default, onupdate, server_default,
 * comment, doc, name. TODOs are added on `anchor` for options with no counterpart.
 */
export function djangoColumnOptions(m: RuleMatch, fx: FixBuilder, info: ColumnInfo, anchor: Node, opts: { pk: boolean; skip?: string[] }): string[] {
  const out: string[] = [];
  const nul = nullability(info);
  const onupdate = info.kw.get('onupdate');
  const autoNow = !!onupdate && isNowExpr(m, onupdate);
  const nullArgs = () => {
    if (opts.pk) return;
    if (nul === 'yes') out.push('null=True', 'blank=True');
    else if (typeof nul !== 'string') out.push(`null=${fx.text(nul)}`);
  };
  let nullDone = false;
  if (info.nameArg) out.push(`db_column=${fx.text(info.nameArg)}`);
  for (const [k, v] of info.kw) {
    if (opts.skip?.includes(k)) continue;
    switch (k) {
      case 'type_':
      case 'autoincrement':
        break;
      case 'primary_key':
        if (v.text === 'True') out.push('primary_key=True');
        break;
      case 'unique':
        out.push(`unique=${fx.text(v)}`);
        break;
      case 'index':
        out.push(`db_index=${fx.text(v)}`);
        break;
      case 'nullable':
        nullArgs();
        nullDone = true;
        break;
      case 'default':
        if (autoNow && isNowExpr(m, v)) break;
        if (isNowExpr(m, v)) out.push(`default=${fx.importFrom('django.utils', 'timezone')}.now`);
        else if (autoNow) fx.todo(anchor, `default=${fx.text(v)} was dropped: Django's auto_now cannot have a default`);
        else out.push(`default=${fx.text(v)}`);
        break;
      case 'onupdate':
        if (autoNow) out.push('auto_now=True');
        else fx.todo(anchor, `onupdate=${fx.text(v)} has no Django option: set the field in save() or a pre_save signal`);
        break;
      case 'server_default':
        fx.todo(anchor, `server_default=${fx.text(v)} was dropped: the database default stays in the existing table; on Django 5.0+ use db_default=`);
        break;
      case 'comment':
        out.push(`db_comment=${fx.text(v)}`);
        break;
      case 'doc':
        out.push(`help_text=${fx.text(v)}`);
        break;
      case 'name':
        out.push(`db_column=${fx.text(v)}`);
        break;
      default:
        fx.todo(anchor, `column option \`${k}=${fx.text(v)}\` has no Django field option: port it by hand`);
    }
  }
  if (!nullDone) nullArgs();
  if (info.other.length) fx.todo(anchor, `column arguments ${info.other.map((o) => `\`${fx.text(o)}\``).join(', ')} were dropped: port them to Meta.constraints or validators`);
  return out;
}
