import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { applyPorted, FSA_SESSION, parseChain, portDbNamespace, sessionFor, sessionQueryBase, toDjango, toSqla2 } from '../../_shared/sqlaQuery';

/** `db.session.<method>(...)` called directly (not `db.session.query(...)`, which starts a chain). */
const isDirect = (m: RuleMatch) => m.captures.method.text !== 'query' && m.resolve(m.captures.obj) === FSA_SESSION;
const chainOf = (m: RuleMatch) => (m.captures.method.text === 'query' && isDirect(m) ? undefined : parseChain(m, m.captures.finding, sessionQueryBase));

/** Whether the statement sits in the body of a `try` that has except clauses (so it may be what they catch). */
function inTryBody(stmt: Node): boolean {
  for (let p = stmt.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'block' && p.parent?.type === 'try_statement' && p.parent.childForFieldName('body')?.id === p.id) {
      return p.parent.namedChildren.some((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause');
    }
  }
  return false;
}

/** Removes a statement Django does not need; with a TODO, keeps `pass` when the next statement could be silenced by it. */
function dropStatement(fx: FixBuilder, stmt: Node, todo?: string) {
  if (!todo) return fx.deleteStatement(stmt);
  fx.todo(stmt, todo);
  const next = stmt.nextNamedSibling;
  if (next && /\bsession\b/.test(next.text)) fx.replace(stmt, 'pass');
  else fx.deleteStatement(stmt);
}

/**
 * Objects changed (`post.title = ...`) before a commit and not handed to `db.session.add()` after the change: SQLAlchemy
 * flushed them at commit, Django needs a `save()` for each. `loop` when a change happens inside a loop.
 */
function dirtyBefore(m: RuleMatch, commit: Node): { names: string[]; loop: boolean } {
  const fn = (() => {
    for (let p = commit.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
    return undefined;
  })();
  const names: string[] = [];
  let loop = false;
  if (!fn) return { names, loop };
  const lastMod = new Map<string, number>();
  const lastAdd = new Map<string, number>();
  const visit = (n: Node) => {
    if (n.startIndex >= commit.startIndex) return;
    if (n.type === 'function_definition' && n.id !== fn.id) return;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      const obj = left?.type === 'attribute' ? left.childForFieldName('object') : undefined;
      if (obj?.type === 'identifier') {
        lastMod.set(obj.text, n.startIndex);
        for (let p = n.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'for_statement' || p.type === 'while_statement') loop = true;
      }
    }
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      const arg = callArgs(n).positional[0];
      if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'add' && m.resolve(f.childForFieldName('object')) === FSA_SESSION && arg?.type === 'identifier') lastAdd.set(arg.text, n.startIndex);
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(fn);
  for (const [name, at] of [...lastMod].sort((a, b) => a[1] - b[1])) if ((lastAdd.get(name) ?? -1) < at && name !== 'g') names.push(name);
  return { names, loop };
}

const objText = (fx: FixBuilder, n: Node) => (['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression'].includes(n.type) ? fx.text(n) : `(${fx.text(n)})`);

export default defineRule({
  id: 'fsa-session',
  from: 'flask-sqlalchemy',
  category: 'transactions',
  title: 'db.session',
  message: (m) =>
    isDirect(m)
      ? `\`db.session.${m.captures.method.text}()\` is Flask-SQLAlchemy's scoped session: port it to model methods (Django) or a request-scoped Session (SQLAlchemy 2.0).`
      : '`db.session.query(...)` is the legacy SQLAlchemy Query API: port it to a Django queryset or a SQLAlchemy 2.0 select().',
  effortMinutes: 3,
  needles: ['session'],
  unboundNames: ['cls'], // `cls.query` in a model's classmethod (sqlaQuery.ts)
  requires: { finding: (_q, _n, m) => isDirect(m) || !!chainOf(m) },
  fixes: {
    'django-orm': {
      title: (m) => (isDirect(m) ? `Port db.session.${m.captures.method.text}() to the Django ORM` : 'Rewrite as a Django queryset'),
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        if (!isDirect(m)) {
          const ch = chainOf(m);
          if (!ch) return false;
          applyPorted(fx, ch.outer, toDjango(m, fx, ch), 'Django ORM');
          return;
        }
        const method = m.captures.method.text;
        const a = callArgs(call);
        const stmt = fx.statementOf(call);
        const alone = call.parent?.type === 'expression_statement' && call.parent.namedChildren.length === 1;
        const one = a.positional.length === 1 && !a.keywords.size && !a.splats.length ? a.positional[0] : undefined;
        const none = !a.positional.length && !a.keywords.size && !a.splats.length;
        switch (method) {
          case 'add':
            if (!alone || !one) break;
            fx.replace(call, `${objText(fx, one)}.save()`);
            return;
          case 'delete':
            if (!alone || !one) break;
            fx.replace(call, `${objText(fx, one)}.delete()`);
            return;
          case 'refresh':
            if (!alone || !one) break;
            fx.replace(call, `${objText(fx, one)}.refresh_from_db()`);
            return;
          case 'add_all': {
            if (!alone || !one) break;
            const scope = m.ctx.bindings.scopeOf(call);
            let v = 'obj';
            for (let i = 2; scope.bindings.has(v) || m.ctx.bindings.lookup(v, scope, call.startIndex); i++) v = `obj${i}`;
            fx.replace(call.parent!, `for ${v} in ${fx.text(one)}:\n${fx.indentOf(call.parent!)}    ${v}.save()`);
            return;
          }
          case 'commit':
          case 'flush': {
            if (!alone || !none) break;
            const inTry = inTryBody(stmt) ? 'Django writes at .save()/.delete(): move those calls into this try, inside `with transaction.atomic():`, so the except clause still catches their errors' : undefined;
            const dirty = dirtyBefore(m, call);
            if (!dirty.names.length) {
              dropStatement(fx, stmt, inTry);
              return;
            }
            // SQLAlchemy flushed changed objects at commit: Django saves each one
            fx.replace(stmt, dirty.names.map((n) => `${n}.save()`).join(`\n${fx.indentOf(stmt)}`));
            const todos = [inTry, dirty.loop ? 'objects changed inside a loop must each be saved (only the last one is saved here)' : undefined].filter(Boolean);
            if (todos.length) fx.todo(stmt, todos.join('; '));
            return;
          }
          case 'rollback':
            if (!alone || !none) break;
            dropStatement(fx, stmt, 'Django rolls back a `with transaction.atomic():` block that raises: wrap the writes this undid in one');
            return;
          case 'get': {
            if (a.positional.length !== 2 || a.keywords.size) break;
            const [model, id] = a.positional;
            fx.replace(call, `${fx.text(model)}.objects.filter(pk=${fx.text(id)}).first()`);
            return;
          }
          case 'begin':
            if (!none || call.parent?.type !== 'with_item') break;
            fx.replace(call, `${fx.importFrom('django.db', 'transaction')}.atomic()`);
            return;
        }
        fx.todo(call, `db.session.${method}() has no Django ORM port here: rewrite it with model methods or django.db.connection`);
      },
    },
    sqlalchemy2: {
      title: 'Use a SQLAlchemy Session from a dependency',
      safe: true,
      apply(m, fx) {
        const call = m.captures.finding;
        if (!isDirect(m)) {
          const ch = chainOf(m);
          if (!ch) return false;
          const session = sessionFor(m, fx, ch.outer);
          if (!session) return false;
          const p = toSqla2(m, fx, ch, session);
          if ('fail' in p) {
            // the legacy Query API still runs on a 2.0 Session
            const fn = ch.base.childForFieldName('function')!;
            fx.replace(fn.childForFieldName('object')!, session);
            fx.todo(ch.outer, `legacy Query API: ${p.fail} has no automatic select() port; it still runs on a 2.0 Session`);
            return;
          }
          applyPorted(fx, ch.outer, p, 'SQLAlchemy 2.0');
          return;
        }
        const method = m.captures.method.text;
        if (method === 'remove') {
          const stmt = fx.statementOf(call);
          if (stmt.type !== 'expression_statement') return false;
          fx.deleteStatement(stmt);
          return;
        }
        const session = sessionFor(m, fx, call);
        if (!session) return false;
        fx.replace(m.captures.obj, session);
        portDbNamespace(m, fx, m.captures.args);
      },
    },
  },
  docs: {
    summary:
      'Flask-SQLAlchemy\'s `db.session` is a scoped SQLAlchemy session. In Django, `add(x)` becomes `x.save()`, `delete(x)` `x.delete()`, and `commit()` goes away (Django autocommits; group writes with `transaction.atomic()`). With FastAPI, the endpoint gets a `Session` from a dependency (`Annotated[Session, Depends(get_session)]`) and calls the same methods on it.',
    notes: [
      'Django writes at `save()`, not at commit: changes made to an object after `db.session.add(obj)` need another `save()`, and errors such as IntegrityError are raised at `save()`.',
      'Django autocommits each query; wrap multi-step writes in `with transaction.atomic():` to keep them all-or-nothing (a raising block rolls back).',
      '`db.session.add_all([...])` becomes one `save()` per object; `bulk_create()` is faster but skips `save()` and signals.',
      'FastAPI: `get_session` yields one Session per request (`with Session(engine) as session: yield session`); commit explicitly, as before. A sync Session inside `async def` blocks the event loop.',
      'Password hashes and session cookies are not shared between frameworks: see the flask-login rules.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/queries/',
      'https://docs.djangoproject.com/en/stable/topics/db/transactions/',
      'https://docs.djangoproject.com/en/stable/ref/models/instances/#saving-objects',
      'https://docs.sqlalchemy.org/en/20/orm/session_basics.html',
      'https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/',
    ],
  },
});
