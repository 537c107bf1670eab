// Flask-SQLAlchemy query chains (`User.query.filter_by(...).first()`, `db.session.query(User)...`) and their
// ports: the Django ORM (`User.objects.filter(...).first()`) and SQLAlchemy 2.0 (`session.scalars(select(User)...)`),
// plus the request-scoped session a FastAPI endpoint gets from a dependency. Shared by the fsa-* rules.
import type { Node } from '../../parsing/python';
import { callArgs, stringValue, type FixBuilder } from '../../analysis/fixBuilder';
import type { RuleMatch } from '../../analysis/rule';
import { isFlaskView } from './flask';
import { respellDb } from './sqlalchemyTypes';

export const FSA_DB = 'flask_sqlalchemy.SQLAlchemy()';
export const FSA_MODEL = 'flask_sqlalchemy.SQLAlchemy().Model';
export const FSA_QUERY = 'flask_sqlalchemy.SQLAlchemy().Model.query';
export const FSA_SESSION = 'flask_sqlalchemy.SQLAlchemy().session';

export interface Step {
  name: string;
  call: Node;
  args: Node;
}

export interface Chain {
  /** the outermost call (or the bare base) */
  outer: Node;
  /** `User.query` or `db.session.query(User)` */
  base: Node;
  /** the model expression: `User`, `cls` */
  model: Node;
  steps: Step[];
}

/** `cls` in a classmethod of a Flask-SQLAlchemy model. */
function isModelCls(m: RuleMatch, n: Node): boolean {
  if (n.type !== 'identifier' || n.text !== 'cls') return false;
  let fn: Node | null = n.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return false;
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  if (first?.text !== 'cls') return false;
  const dd = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  if (!dd?.namedChildren.some((d) => d?.type === 'decorator' && d.namedChildren[0]?.text === 'classmethod')) return false;
  const cls = (dd.parent?.type === 'block' ? dd.parent.parent : undefined) ?? undefined;
  if (cls?.type !== 'class_definition') return false;
  return m.resolve(cls.childForFieldName('name')) === FSA_MODEL;
}

/** The model of a `Model.query` base, if `n` is one. */
export function modelQueryBase(m: RuleMatch, n: Node): Node | undefined {
  if (n.type !== 'attribute' || n.childForFieldName('attribute')?.text !== 'query') return undefined;
  const obj = n.childForFieldName('object');
  if (!obj) return undefined;
  if (m.resolve(n) === FSA_QUERY || isModelCls(m, obj)) return obj;
  return undefined;
}

/** The model of a `db.session.query(Model)` base, if `n` is one. */
export function sessionQueryBase(m: RuleMatch, n: Node): Node | undefined {
  if (n.type !== 'call') return undefined;
  const fn = n.childForFieldName('function');
  if (fn?.type !== 'attribute' || m.resolve(fn) !== `${FSA_SESSION}.query`) return undefined;
  const a = callArgs(n);
  if (a.positional.length !== 1 || a.keywords.size || a.splats.length) return undefined;
  return a.positional[0];
}

/** The model of a `select(Model)` / `db.select(Model)` base, if `n` is one. */
export function selectBase(m: RuleMatch, n: Node): Node | undefined {
  if (n.type !== 'call') return undefined;
  const q = m.resolve(n.childForFieldName('function'));
  if (q !== 'sqlalchemy.select' && q !== `${FSA_DB}.select` && q !== 'sqlalchemy.sql.expression.select') return undefined;
  const a = callArgs(n);
  if (a.positional.length !== 1 || a.keywords.size || a.splats.length) return undefined;
  return a.positional[0];
}

/** The chain of a statement expression (no outermost check: it is an argument). */
export function parseStatement(m: RuleMatch, n: Node): Chain | undefined {
  const steps: Step[] = [];
  let cur: Node | null = n;
  while (cur) {
    const model = selectBase(m, cur);
    if (model) return { outer: n, base: cur, model, steps: steps.reverse() };
    if (cur.type !== 'call') return undefined;
    const fn = cur.childForFieldName('function');
    const args = cur.childForFieldName('arguments');
    if (fn?.type !== 'attribute' || args?.type !== 'argument_list') return undefined;
    steps.push({ name: fn.childForFieldName('attribute')!.text, call: cur, args });
    cur = fn.childForFieldName('object');
  }
  return undefined;
}

/** Whether `n`'s value is the object of a further method call (`n.x(...)`). */
function continues(n: Node): boolean {
  const p = n.parent;
  return p?.type === 'attribute' && p.childForFieldName('object')?.id === n.id && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.id === p.id;
}

/** The chain whose outermost call is `outer`, starting at a base `baseOf` recognizes. */
export function parseChain(m: RuleMatch, outer: Node, baseOf: (m: RuleMatch, n: Node) => Node | undefined): Chain | undefined {
  if (continues(outer)) return undefined;
  const steps: Step[] = [];
  let cur: Node | null = outer;
  while (cur) {
    const model = baseOf(m, cur);
    if (model) return { outer, base: cur, model, steps: steps.reverse() };
    if (cur.type !== 'call') return undefined;
    const fn = cur.childForFieldName('function');
    const args = cur.childForFieldName('arguments');
    if (fn?.type !== 'attribute' || args?.type !== 'argument_list') return undefined;
    steps.push({ name: fn.childForFieldName('attribute')!.text, call: cur, args });
    cur = fn.childForFieldName('object');
  }
  return undefined;
}

export type Ported = { code: string; todo?: string; unsafe?: boolean } | { fail: string };

const inner = (fx: FixBuilder, args: Node) => fx.text(args).slice(1, -1).trim();

/** Names Flask-SQLAlchemy re-exports from `sqlalchemy` on `db` (`db.select`, `db.func`, …). */
const SQLA_NAMES = new Set(['select', 'func', 'and_', 'or_', 'not_', 'desc', 'asc', 'delete', 'update', 'insert', 'text', 'case', 'literal', 'null', 'true', 'false', 'exists', 'distinct', 'cast', 'join', 'outerjoin', 'union', 'tuple_', 'between', 'label', 'nulls_last', 'nulls_first', 'aliased']);

/** A node's text with `db.select`, `db.func`, … spelled as imports from sqlalchemy (sqlalchemy.orm for aliased). */
export function sqlaText(m: RuleMatch, fx: FixBuilder, n: Node): string {
  return respellDb(m, fx, n, (attr) => (SQLA_NAMES.has(attr) ? (attr === 'aliased' ? 'sqlalchemy.orm' : 'sqlalchemy') : undefined));
}

/** Edits that spell `db.select`, `db.func`, … inside `n` as sqlalchemy imports (for text left in place). */
export function portDbNamespace(m: RuleMatch, fx: FixBuilder, n: Node) {
  const visit = (x: Node) => {
    if (x.type === 'attribute') {
      const attr = x.childForFieldName('attribute')?.text ?? '';
      if (SQLA_NAMES.has(attr) && m.resolve(x.childForFieldName('object')) === FSA_DB) {
        fx.replace(x, fx.importFrom(attr === 'aliased' ? 'sqlalchemy.orm' : 'sqlalchemy', attr));
        return;
      }
    }
    for (const c of x.namedChildren) if (c) visit(c);
  };
  visit(n);
}
const SIMPLE = new Set(['identifier', 'integer', 'attribute', 'call', 'subscript', 'string', 'parenthesized_expression']);
const paren = (fx: FixBuilder, n: Node) => (SIMPLE.has(n.type) ? fx.text(n) : `(${fx.text(n)})`);

function isSqlaFunc(m: RuleMatch, fn: Node | null, name: string): boolean {
  const q = m.resolve(fn);
  return q === `sqlalchemy.${name}` || q === `sqlalchemy.sql.expression.${name}` || q === `${FSA_DB}.${name}`;
}

// ---------- Django ORM ----------

type Term = { kind: 'kw'; key: string; value: string } | { kind: 'neg'; key: string; value: string } | { kind: 'q'; code: string };

const OPS: Record<string, string> = { '==': '', '>': '__gt', '>=': '__gte', '<': '__lt', '<=': '__lte' };

function likeLookup(pattern: string, ci: boolean): { lookup: string; value: string } | undefined {
  if (/[_\\]/.test(pattern)) return undefined;
  const core = pattern.replace(/^%|%$/g, '');
  if (core.includes('%')) return undefined;
  const i = ci ? 'i' : '';
  const start = pattern.startsWith('%');
  const end = pattern.length > 1 && pattern.endsWith('%');
  const lookup = start && end ? 'contains' : end ? 'startswith' : start ? 'endswith' : ci ? 'iexact' : '';
  return { lookup: lookup ? `__${lookup === 'iexact' ? lookup : i + lookup}` : '', value: JSON.stringify(core) };
}

/** A SQLAlchemy filter expression as Django lookups (`User.age > 18` → `age__gt=18`). */
function termsOf(m: RuleMatch, fx: FixBuilder, e: Node, model: string): Term[] | undefined {
  const field = (n: Node | null | undefined): string | undefined =>
    n?.type === 'attribute' && fx.text(n.childForFieldName('object')) === model ? n.childForFieldName('attribute')!.text : undefined;
  const refersToModel = (n: Node) => new RegExp(`\\b${model}\\.`).test(fx.text(n));
  if (e.type === 'comparison_operator') {
    const ops = e.childrenForFieldName('operators');
    const [l, r] = e.namedChildren;
    if (ops.length !== 1 || !l || !r) return undefined;
    const f = field(l);
    const op = ops[0]!.text;
    if (!f || refersToModel(r)) return undefined;
    if (r.type === 'none') {
      if (op === '==') return [{ kind: 'kw', key: `${f}__isnull`, value: 'True' }];
      if (op === '!=') return [{ kind: 'kw', key: `${f}__isnull`, value: 'False' }];
      return undefined;
    }
    if (op === '!=') return [{ kind: 'neg', key: f, value: fx.text(r) }];
    if (OPS[op] === undefined) return undefined;
    return [{ kind: 'kw', key: f + OPS[op], value: fx.text(r) }];
  }
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    const a = callArgs(e);
    if (a.splats.length) return undefined;
    if (fn?.type === 'attribute') {
      const f = field(fn.childForFieldName('object'));
      const meth = fn.childForFieldName('attribute')!.text;
      const arg = a.positional[0];
      if (f && arg && a.keywords.size === 0 && !refersToModel(arg)) {
        const v = fx.text(arg);
        switch (meth) {
          case 'in_': return a.positional.length === 1 ? [{ kind: 'kw', key: `${f}__in`, value: v }] : undefined;
          case 'not_in': case 'notin_': return a.positional.length === 1 ? [{ kind: 'neg', key: `${f}__in`, value: v }] : undefined;
          case 'is_': return arg.type === 'none' ? [{ kind: 'kw', key: `${f}__isnull`, value: 'True' }] : arg.type === 'true' || arg.type === 'false' ? [{ kind: 'kw', key: f, value: v }] : undefined;
          case 'is_not': case 'isnot': return arg.type === 'none' ? [{ kind: 'kw', key: `${f}__isnull`, value: 'False' }] : undefined;
          case 'contains': case 'startswith': case 'endswith': case 'icontains': case 'istartswith': case 'iendswith':
            return [{ kind: 'kw', key: `${f}__${meth}`, value: v }];
          case 'between': return a.positional.length === 2 ? [{ kind: 'kw', key: `${f}__range`, value: `(${v}, ${fx.text(a.positional[1])})` }] : undefined;
          case 'like': case 'ilike': {
            const s = stringValue(arg);
            const lk = s === undefined ? undefined : likeLookup(s, meth === 'ilike');
            return lk ? [{ kind: 'kw', key: f + lk.lookup, value: lk.value }] : undefined;
          }
        }
      }
      return undefined;
    }
    const isAnd = isSqlaFunc(m, fn, 'and_');
    const isOr = isSqlaFunc(m, fn, 'or_');
    const isNot = isSqlaFunc(m, fn, 'not_');
    if (isAnd && !a.keywords.size) {
      const out: Term[] = [];
      for (const p of a.positional) {
        const t = termsOf(m, fx, p, model);
        if (!t) return undefined;
        out.push(...t);
      }
      return out;
    }
    if ((isOr || isNot) && !a.keywords.size && a.positional.length >= 1) {
      const qs: string[] = [];
      for (const p of a.positional) {
        const t = termsOf(m, fx, p, model);
        if (!t) return undefined;
        qs.push(qOf(fx, t, a.positional.length > 1 && isOr));
      }
      if (isNot) return a.positional.length === 1 ? [{ kind: 'q', code: `~${qs[0]}` }] : undefined;
      return [{ kind: 'q', code: qs.join(' | ') }];
    }
  }
  return undefined;
}

/** Terms as one Q expression. */
function qOf(fx: FixBuilder, terms: Term[], grouped: boolean): string {
  const Q = fx.importFrom('django.db.models', 'Q');
  const parts = terms.map((t) => (t.kind === 'kw' ? `${Q}(${t.key}=${t.value})` : t.kind === 'neg' ? `~${Q}(${t.key}=${t.value})` : t.code));
  if (parts.length === 1) return parts[0];
  const kws = terms.filter((t) => t.kind === 'kw');
  if (kws.length === terms.length) return `${Q}(${kws.map((t) => `${t.key}=${t.value}`).join(', ')})`;
  const joined = parts.join(' & ');
  return grouped ? `(${joined})` : joined;
}

/** `.filter(...)` / `.exclude(...)` calls for terms. */
function filterCalls(terms: Term[]): string {
  let out = '';
  const qs = terms.filter((t): t is Extract<Term, { kind: 'q' }> => t.kind === 'q').map((t) => t.code);
  const kws: string[] = [];
  const seen = new Set<string>();
  const later: string[] = [];
  for (const t of terms) {
    if (t.kind !== 'kw') continue;
    if (seen.has(t.key)) later.push(`.filter(${t.key}=${t.value})`);
    else kws.push(`${t.key}=${t.value}`);
    seen.add(t.key);
  }
  if (qs.length || kws.length) out += `.filter(${[...qs, ...kws].join(', ')})`;
  out += later.join('');
  for (const t of terms) if (t.kind === 'neg') out += `.exclude(${t.key}=${t.value})`;
  return out;
}

function orderKey(m: RuleMatch, fx: FixBuilder, n: Node, model: string): string | undefined {
  const s = stringValue(n);
  if (s !== undefined) return /^-?[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? JSON.stringify(s) : undefined;
  const field = (x: Node | null | undefined) =>
    x?.type === 'attribute' && fx.text(x.childForFieldName('object')) === model ? x.childForFieldName('attribute')!.text : undefined;
  const f = field(n);
  if (f) return JSON.stringify(f);
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const a = callArgs(n);
    if (fn?.type === 'attribute' && a.positional.length === 0 && a.keywords.size === 0) {
      const meth = fn.childForFieldName('attribute')!.text;
      const g = field(fn.childForFieldName('object'));
      if (g && meth === 'desc') return JSON.stringify(`-${g}`);
      if (g && meth === 'asc') return JSON.stringify(g);
    }
    if (a.positional.length === 1 && !a.keywords.size) {
      const g = field(a.positional[0]);
      if (g && isSqlaFunc(m, fn, 'desc')) return JSON.stringify(`-${g}`);
      if (g && isSqlaFunc(m, fn, 'asc')) return JSON.stringify(g);
    }
  }
  return undefined;
}

function sliceText(fx: FixBuilder, off?: Node, lim?: Node): string {
  if (!off && !lim) return '';
  if (!off) return `[:${fx.text(lim)}]`;
  if (!lim) return `[${fx.text(off)}:]`;
  if (off.type === 'integer' && lim.type === 'integer') return `[${fx.text(off)}:${Number(fx.text(off)) + Number(fx.text(lim))}]`;
  return `[${fx.text(off)}:${paren(fx, off)} + ${paren(fx, lim)}]`;
}

/** The chain as a Django queryset expression. */
export function toDjango(m: RuleMatch, fx: FixBuilder, ch: Chain): Ported {
  const model = fx.text(ch.model);
  let qs = `${model}.objects`;
  let methods = 0;
  let unsafe = false;
  let off: Node | undefined;
  let lim: Node | undefined;
  const steps = [...ch.steps];
  const terminal = steps.length && !QUERY_STEPS.has(steps[steps.length - 1].name) ? steps.pop()! : undefined;
  for (const s of steps) {
    const a = callArgs(s.args);
    if ((off || lim) && s.name !== 'limit' && s.name !== 'offset') return { fail: `\`.${s.name}()\` after limit/offset` };
    switch (s.name) {
      case 'filter_by':
        if (a.positional.length) return { fail: 'positional filter_by() arguments' };
        if (!a.keywords.size && !a.splats.length) break;
        qs += `.filter(${inner(fx, s.args)})`;
        methods++;
        break;
      case 'filter':
      case 'where': {
        if (a.keywords.size || a.splats.length) return { fail: `\`.${s.name}()\` arguments` };
        const terms: Term[] = [];
        for (const p of a.positional) {
          const t = termsOf(m, fx, p, model);
          if (!t) return { fail: `the filter \`${fx.text(p)}\`` };
          terms.push(...t);
        }
        if (terms.some((t) => t.kind === 'neg')) unsafe = true;
        qs += filterCalls(terms);
        methods++;
        break;
      }
      case 'order_by': {
        if (a.keywords.size || a.splats.length) return { fail: 'order_by() arguments' };
        if (a.positional.length === 1 && a.positional[0].type === 'none') {
          qs += '.order_by()';
          break;
        }
        const keys: string[] = [];
        for (const p of a.positional) {
          const k = orderKey(m, fx, p, model);
          if (!k) return { fail: `the ordering \`${fx.text(p)}\`` };
          keys.push(k);
        }
        qs += `.order_by(${keys.join(', ')})`;
        methods++;
        break;
      }
      case 'distinct':
        if (a.positional.length || a.keywords.size) return { fail: 'distinct() on columns' };
        qs += '.distinct()';
        methods++;
        break;
      case 'limit':
      case 'offset':
        if (a.positional.length !== 1 || a.keywords.size) return { fail: `${s.name}() arguments` };
        if (s.name === 'limit') lim = a.positional[0];
        else off = a.positional[0];
        break;
      default:
        return { fail: `\`.${s.name}()\`` };
    }
  }
  const slice = sliceText(fx, off, lim);
  const sliced = qs + slice;
  if (!terminal) return { code: methods || slice ? sliced : `${model}.objects.all()`, unsafe };
  const a = callArgs(terminal.args);
  const noArgs = !a.positional.length && !a.keywords.size && !a.splats.length;
  const get404 = () => fx.importFrom('django.shortcuts', 'get_object_or_404');
  switch (terminal.name) {
    case 'all':
      if (!noArgs) break;
      return { code: methods || slice ? sliced : `${model}.objects.all()`, unsafe };
    case 'first':
      if (!noArgs || off) break;
      return { code: `${qs}.first()`, unsafe };
    case 'count':
      if (!noArgs) break;
      return { code: `${sliced}.count()`, unsafe };
    case 'get':
      if (a.positional.length !== 1 || a.keywords.size || slice) break;
      return { code: `${qs}.filter(pk=${fx.text(a.positional[0])}).first()`, unsafe };
    case 'get_or_404': {
      if (a.positional.length !== 1 || slice || a.splats.length || [...a.keywords.keys()].some((k) => k !== 'description')) break;
      const code = `${get404()}(${methods ? qs : model}, pk=${fx.text(a.positional[0])})`;
      const d = a.keywords.get('description');
      return { code, unsafe, todo: d ? `the 404 description ${fx.text(d)} is dropped: raise Http404(...) yourself to keep it` : undefined };
    }
    case 'first_or_404': {
      if (a.positional.length || a.splats.length || [...a.keywords.keys()].some((k) => k !== 'description') || off) break;
      const only = steps.length === 1 && steps[0].name === 'filter_by' ? callArgs(steps[0].args) : undefined;
      const pkArg = only && only.keywords.size === 1 && !only.splats.length ? ['id', 'pk'].map((k) => only.keywords.get(k)).find(Boolean) : undefined;
      const code = pkArg ? `${get404()}(${model}, pk=${fx.text(pkArg)})` : `${get404()}(${qs}[:1])`;
      const d = a.keywords.get('description');
      return { code, unsafe, todo: d ? `the 404 description ${fx.text(d)} is dropped: raise Http404(...) yourself to keep it` : undefined };
    }
    case 'one':
      if (!noArgs || slice) break;
      return { code: `${qs}.get()`, unsafe: true, todo: 'Django raises Model.DoesNotExist / MultipleObjectsReturned where SQLAlchemy raised NoResultFound / MultipleResultsFound: update any except clauses' };
    case 'paginate': {
      if (slice || a.positional.length || a.splats.length) break;
      const page = a.keywords.get('page');
      const per = a.keywords.get('per_page');
      if (!page) break;
      const Paginator = fx.importFrom('django.core.paginator', 'Paginator');
      return {
        code: `${Paginator}(${methods ? qs : `${model}.objects.all()`}, ${per ? fx.text(per) : '20'}).get_page(${fx.text(page)})`,
        unsafe: true,
        todo: 'this is a Django Page now: .items → .object_list, .pages → .paginator.num_pages, .total → .paginator.count, .next_num → .next_page_number(); out-of-range pages give the last page instead of a 404',
      };
    }
    case 'delete': {
      if (!noArgs || slice) break;
      const used = ch.outer.parent?.type !== 'expression_statement';
      return { code: `${qs}.delete()`, unsafe: true, todo: used ? 'QuerySet.delete() returns (count, per-model counts), not a count' : undefined };
    }
    case 'update': {
      if (slice || a.keywords.size || a.positional.length !== 1 || a.positional[0].type !== 'dictionary') break;
      const kws: string[] = [];
      for (const pair of a.positional[0].namedChildren) {
        if (pair?.type !== 'pair') return { fail: 'update() values' };
        const k = stringValue(pair.childForFieldName('key'));
        const kNode = pair.childForFieldName('key');
        const key = k ?? (kNode?.type === 'attribute' && fx.text(kNode.childForFieldName('object')) === model ? kNode.childForFieldName('attribute')!.text : undefined);
        if (!key || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return { fail: 'update() keys' };
        kws.push(`${key}=${fx.text(pair.childForFieldName('value'))}`);
      }
      return { code: `${qs}.update(${kws.join(', ')})`, unsafe: true };
    }
  }
  return { fail: `\`.${terminal.name}(${inner(fx, terminal.args)})\`` };
}

/** Steps that give a query back (the rest end the chain). */
const QUERY_STEPS = new Set(['filter', 'filter_by', 'where', 'order_by', 'limit', 'offset', 'distinct', 'join', 'outerjoin', 'options', 'group_by', 'having', 'select_from', 'execution_options']);
const SELECT_STEPS = new Set(['filter_by', 'where', 'order_by', 'limit', 'offset', 'distinct', 'join', 'outerjoin', 'options', 'group_by', 'having', 'execution_options']);

// ---------- SQLAlchemy 2.0 ----------

/** The chain as SQLAlchemy 2.0 code run on `session`. */
export function toSqla2(m: RuleMatch, fx: FixBuilder, ch: Chain, session: string): Ported {
  const model = fx.text(ch.model);
  const select = fx.importFrom('sqlalchemy', 'select');
  const steps = [...ch.steps];
  const terminal = steps.length && !QUERY_STEPS.has(steps[steps.length - 1].name) ? steps.pop()! : undefined;
  const stepText = (drop: Set<string> = new Set()) => {
    let out = '';
    for (const s of steps) {
      if (drop.has(s.name)) continue;
      const name = s.name === 'filter' ? 'where' : s.name;
      if (!SELECT_STEPS.has(name)) return undefined;
      out += `.${name}(${sqlaText(m, fx, s.args).slice(1, -1).trim()})`;
    }
    return out;
  };
  const st = stepText();
  if (st === undefined) return { fail: `\`.${steps.find((s) => !SELECT_STEPS.has(s.name === 'filter' ? 'where' : s.name))!.name}()\`` };
  const stmt = `${select}(${model})${st}`;
  const unique = steps.some((s) => s.name === 'options' && /joinedload/.test(fx.text(s.args))) ? '.unique()' : '';
  const scalars = (sql: string) => `${session}.scalars(${sql})${unique}`;
  if (!terminal) return { code: stmt, unsafe: true, todo: `this is a Select statement now, not a query: run it with ${session}.scalars(...)` };
  const a = callArgs(terminal.args);
  const noArgs = !a.positional.length && !a.keywords.size && !a.splats.length;
  const onlyWhere = steps.every((s) => ['filter', 'filter_by', 'where'].includes(s.name));
  switch (terminal.name) {
    case 'all':
      if (noArgs) return { code: `${scalars(stmt)}.all()` };
      break;
    case 'first':
      if (noArgs) return { code: `${scalars(`${select}(${model})${stepText(new Set(['limit']))}.limit(1)`)}.first()` };
      break;
    case 'one':
    case 'one_or_none':
      if (noArgs) return { code: `${scalars(stmt)}.${terminal.name}()` };
      break;
    case 'count': {
      if (!noArgs) break;
      const func = fx.importFrom('sqlalchemy', 'func');
      if (steps.every((s) => ['filter', 'filter_by', 'where', 'join', 'outerjoin'].includes(s.name)))
        return { code: `${session}.scalar(${select}(${func}.count()).select_from(${model})${st})` };
      return { code: `${session}.scalar(${select}(${func}.count()).select_from(${stmt}.subquery()))` };
    }
    case 'get':
      if (steps.length || a.positional.length !== 1 || a.keywords.size) break;
      return { code: `${session}.get(${model}, ${fx.text(a.positional[0])})` };
    case 'get_or_404': {
      if (steps.length || a.positional.length !== 1 || a.splats.length || [...a.keywords.keys()].some((k) => k !== 'description')) break;
      const d = a.keywords.get('description');
      return { code: `${notFoundHelper(fx, 'get_or_404')}(${session}, ${model}, ${fx.text(a.positional[0])})`, todo: d ? descTodo(fx, d) : undefined };
    }
    case 'first_or_404': {
      if (a.positional.length || a.splats.length || [...a.keywords.keys()].some((k) => k !== 'description')) break;
      const d = a.keywords.get('description');
      return { code: `${notFoundHelper(fx, 'first_or_404')}(${session}, ${select}(${model})${stepText(new Set(['limit']))})`, todo: d ? descTodo(fx, d) : undefined };
    }
    case 'paginate': {
      if (a.positional.length || a.splats.length) break;
      const page = a.keywords.get('page');
      const per = a.keywords.get('per_page');
      if (!page || steps.some((s) => s.name === 'limit' || s.name === 'offset')) break;
      const pp = per ? paren(fx, per) : '20';
      return {
        code: `${scalars(`${stmt}.limit(${pp}).offset((${fx.text(page)} - 1) * ${pp})`)}.all()`,
        unsafe: true,
        todo: 'this is the list of one page\'s rows now: compute total/pages/has_next with select(func.count()) if the template needs them (Flask-SQLAlchemy answered 404 for out-of-range pages)',
      };
    }
    case 'delete':
    case 'update': {
      if (!onlyWhere) break;
      if (terminal.name === 'delete' && !noArgs) break;
      if (terminal.name === 'update' && (a.positional.length !== 1 || a.keywords.size)) break;
      const verb = fx.importFrom('sqlalchemy', terminal.name);
      const values = terminal.name === 'update' ? `.values(${sqlaText(m, fx, a.positional[0])})` : '';
      const used = ch.outer.parent?.type !== 'expression_statement';
      return { code: `${session}.execute(${verb}(${model})${st}${values})${used ? '.rowcount' : ''}` };
    }
  }
  return { fail: `\`.${terminal.name}(${inner(fx, terminal.args)})\`` };
}

function descTodo(fx: FixBuilder, d: Node): string {
  return `the 404 description ${fx.text(d)} is dropped: raise HTTPException(status_code=404, detail=...) to keep it`;
}

/** Module-level `get_or_404` / `first_or_404` / `one_or_404` that raise FastAPI's 404. */
export function notFoundHelper(fx: FixBuilder, name: 'get_or_404' | 'first_or_404' | 'one_or_404'): string {
  const HTTPException = fx.importFrom('fastapi', 'HTTPException');
  const body =
    name === 'get_or_404'
      ? `def get_or_404(session, model, ident):\n    obj = session.get(model, ident)\n    if obj is None:\n        raise ${HTTPException}(status_code=404)\n    return obj\n`
      : name === 'first_or_404'
        ? `def first_or_404(session, statement):\n    obj = session.scalars(statement.limit(1)).first()\n    if obj is None:\n        raise ${HTTPException}(status_code=404)\n    return obj\n`
        : `def one_or_404(session, statement):\n    try:\n        return session.scalars(statement).one()\n    except (${fx.importFrom('sqlalchemy.exc', 'NoResultFound')}, ${fx.importFrom('sqlalchemy.exc', 'MultipleResultsFound')}):\n        raise ${HTTPException}(status_code=404) from None\n`;
  fx.ensureModuleCode(name, body);
  return name;
}

// ---------- the session a FastAPI endpoint gets ----------

/** The module-level binding of the Flask-SQLAlchemy object (`db = SQLAlchemy()` or `from .extensions import db`). */
export function dbBinding(m: RuleMatch) {
  for (const list of m.ctx.bindings.module.bindings.values()) {
    const b = list[list.length - 1];
    if ((b.kind === 'assign' || b.kind === 'from-import') && m.ctx.bindings.resolveBinding(b) === FSA_DB) return b;
  }
  return undefined;
}

/** `get_session`: the module's own, or a generator over `Session(engine)` added to the module. */
export function getSessionName(m: RuleMatch, fx: FixBuilder): string {
  const mod = m.ctx.bindings.module;
  if (mod.bindings.has('get_session')) return 'get_session';
  const Session = fx.importFrom('sqlalchemy.orm', 'Session');
  let engine = 'engine';
  let todo = '';
  if (!mod.bindings.has('engine')) {
    const db = dbBinding(m);
    if (db?.kind === 'from-import') {
      const modText = db.stmt?.childForFieldName('module_name')?.text;
      if (modText) engine = fx.importFrom(modText, 'engine');
    } else if (!db) {
      todo = '# TODO(port): define `engine = create_engine(...)` for the database (it was SQLALCHEMY_DATABASE_URI) or import it [fsa-db-setup]\n';
    }
  }
  fx.ensureModuleCode('get_session', `${todo}def get_session():\n    with ${Session}(${engine}) as session:\n        yield session\n`);
  return 'get_session';
}

/**
 * The name of a SQLAlchemy Session inside the function around `at`, adding it as a parameter: a FastAPI dependency
 * for a view, a plain parameter (that callers must pass) elsewhere. Undefined at module level.
 */
export function sessionFor(m: RuleMatch, fx: FixBuilder, at: Node): string | undefined {
  const fn = fx.enclosingFunction(at);
  if (!fn) return undefined;
  const params = fx.paramNames(fn);
  if (params.includes('db_session')) return 'db_session';
  const sessionParam = fn.childForFieldName('parameters')?.namedChildren.find((p) => p?.type === 'typed_parameter' && p.namedChildren[0]?.text === 'session');
  if (sessionParam && /Session/.test(sessionParam.text)) return 'session';
  const scope = m.ctx.bindings.functionScopeOf(fn);
  const taken = params.includes('session') || scope?.bindings.has('session') || !!m.ctx.bindings.lookup('session', scope ?? m.ctx.bindings.module, at.startIndex);
  const name = taken ? 'db_session' : 'session';
  const Session = fx.importFrom('sqlalchemy.orm', 'Session');
  if (isFlaskView(m, fn)) {
    const Annotated = fx.importFrom('typing', 'Annotated');
    const Depends = fx.importFrom('fastapi', 'Depends');
    fx.ensureParam(fn, name, `${name}: ${Annotated}[${Session}, ${Depends}(${getSessionName(m, fx)})]`);
  } else {
    fx.ensureParam(fn, name, `${name}: ${Session}`);
    const stmt = fx.statementOf(fn);
    fx.insert(fx.lineStart(stmt.startIndex), `${fx.indentOf(stmt)}# TODO(port): \`${fn.childForFieldName('name')?.text}\` now takes a SQLAlchemy Session: pass it from its callers [fsa-session]\n`);
    fx.unsafe();
  }
  if (fn.text.startsWith('async')) fx.todo(at, 'a sync Session blocks the event loop inside `async def`: make this a plain `def` or use AsyncSession');
  return name;
}

/** Applies a port: the replacement, or a TODO leaving the original when it failed. */
export function applyPorted(fx: FixBuilder, node: Node, p: Ported, what: string) {
  if ('fail' in p) {
    fx.todo(node, `${what}: ${p.fail} has no automatic port; rewrite this query by hand`);
    return;
  }
  fx.replace(node, p.code);
  if (p.todo) fx.todo(node, p.todo);
  if (p.unsafe) fx.unsafe();
}

/**
 * Adds a parameter even when this fix already gave an empty `()` its first one (ensureParam replaces the whole
 * `()` then, so a second ensureParam on the same function would overlap).
 */
export function addParam(fx: FixBuilder, fn: Node, name: string, code: string, opts: { hasDefault?: boolean } = {}) {
  if (fx.paramNames(fn).includes(name)) return;
  const params = fn.childForFieldName('parameters');
  const whole = params && fx.edits.find((e) => e.start === params.startIndex && e.end === params.endIndex && e.text.startsWith('('));
  if (whole) {
    whole.text = `${whole.text.slice(0, -1)}, ${code})`;
    return;
  }
  fx.ensureParam(fn, name, code, opts);
}
