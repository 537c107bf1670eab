import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import { djangoRequest } from '../../_shared/flask';
import { addParam, FSA_DB, notFoundHelper, parseStatement, sessionFor, sqlaText, toDjango } from '../../_shared/sqlaQuery';

const PAGE_TODO_DJANGO =
  'this is a Django Page now: .items → .object_list, .pages → .paginator.num_pages, .total → .paginator.count, .next_num → .next_page_number(); out-of-range pages give the last page instead of a 404';
const PAGE_TODO_SQLA =
  'this is the list of one page\'s rows now: compute total/pages/has_next with select(func.count()) if the template needs them (Flask-SQLAlchemy answered 404 for out-of-range pages)';

function descTodo(m: RuleMatch, detail: string): string | undefined {
  const d = callArgs(m.captures.finding).keywords.get('description');
  return d ? `the 404 description ${d.text} is dropped: ${detail}` : undefined;
}

export default defineRule({
  id: 'fsa-get-or-404',
  from: 'flask-sqlalchemy',
  category: 'queries',
  title: 'db.get_or_404() and friends',
  message: (m) => `\`db.${m.captures.method.text}()\` is a Flask-SQLAlchemy 3 helper: port it to get_object_or_404/Paginator (Django) or a Session query that raises HTTPException (FastAPI).`,
  effortMinutes: 3,
  needles: ['_or_404', 'paginate'],
  requires: { db: [FSA_DB] },
  fixes: {
    'django-orm': {
      title: 'Use django.shortcuts.get_object_or_404 / Paginator',
      safe: true,
      apply(m, fx) {
        const call = m.captures.finding;
        const method = m.captures.method.text;
        const a = callArgs(call);
        if (a.splats.length) return false;
        const get404 = () => fx.importFrom('django.shortcuts', 'get_object_or_404');
        if (method === 'get_or_404') {
          if (a.positional.length !== 2) return false;
          fx.replace(call, `${get404()}(${a.positional[0].text}, pk=${a.positional[1].text})`);
          const t = descTodo(m, 'raise Http404(...) yourself to keep it');
          if (t) fx.todo(call, t);
          return;
        }
        const stmtNode = a.positional[0] ?? a.keywords.get('select');
        const ch = stmtNode ? parseStatement(m, stmtNode) : undefined;
        const p = ch ? toDjango(m, fx, ch) : undefined;
        if (!p || 'fail' in p || p.todo) {
          fx.todo(call, `port the statement ${stmtNode?.text ?? ''} to a Django queryset by hand${p && 'fail' in p ? ` (${p.fail})` : ''}`);
          return;
        }
        if (p.unsafe) fx.unsafe();
        const model = ch!.model.text;
        const all = p.code === `${model}.objects.all()`;
        if (method === 'first_or_404') {
          fx.replace(call, `${get404()}(${p.code}[:1])`);
          const t = descTodo(m, 'raise Http404(...) yourself to keep it');
          if (t) fx.todo(call, t);
        } else if (method === 'one_or_404') {
          fx.replace(call, `${get404()}(${all ? model : p.code})`);
          fx.todo(call, 'several matching rows now raise MultipleObjectsReturned (a 500) where one_or_404 answered 404');
        } else {
          const page = a.keywords.get('page');
          const per = a.keywords.get('per_page');
          const pageText = page ? page.text : `${djangoRequest(m, fx, call) ?? 'request'}.GET.get("page")`;
          fx.replace(call, `${fx.importFrom('django.core.paginator', 'Paginator')}(${p.code}, ${per ? per.text : '20'}).get_page(${pageText})`);
          fx.todo(call, PAGE_TODO_DJANGO);
        }
      },
    },
    sqlalchemy2: {
      title: 'Query through the request\'s Session and raise HTTPException(404)',
      safe: true,
      apply(m, fx) {
        const call = m.captures.finding;
        const method = m.captures.method.text;
        const a = callArgs(call);
        if (a.splats.length) return false;
        const session = sessionFor(m, fx, call);
        if (!session) return false;
        const d = descTodo(m, 'raise HTTPException(status_code=404, detail=...) to keep it');
        if (method === 'get_or_404') {
          if (a.positional.length !== 2) return false;
          fx.replace(call, `${notFoundHelper(fx, 'get_or_404')}(${session}, ${sqlaText(m, fx, a.positional[0])}, ${sqlaText(m, fx, a.positional[1])})`);
          if (d) fx.todo(call, d);
          return;
        }
        const stmtNode = a.positional[0] ?? a.keywords.get('select');
        if (!stmtNode) return false;
        const stmt = sqlaText(m, fx, stmtNode);
        if (method === 'first_or_404' || method === 'one_or_404') {
          fx.replace(call, `${notFoundHelper(fx, method)}(${session}, ${stmt})`);
          if (d) fx.todo(call, d);
          return;
        }
        const page = a.keywords.get('page');
        const per = a.keywords.get('per_page');
        let pageText = page?.text;
        if (!pageText) {
          const fn = fx.enclosingFunction(call)!;
          const taken = m.ctx.bindings.functionScopeOf(fn)?.bindings.has('page') && !fx.paramNames(fn).includes('page');
          pageText = taken ? 'page_number' : 'page';
          const alias = taken ? 'alias="page", ' : '';
          addParam(fx, fn, pageText, `${pageText}: ${fx.importFrom('typing', 'Annotated')}[int, ${fx.importFrom('fastapi', 'Query')}(${alias}ge=1)] = 1`, { hasDefault: true });
        }
        const pp = per ? (['identifier', 'integer', 'attribute', 'call', 'subscript'].includes(per.type) ? per.text : `(${per.text})`) : '20';
        const st = ['call', 'identifier', 'attribute'].includes(stmtNode.type) ? stmt : `(${stmt})`;
        fx.replace(call, `${session}.scalars(${st}.limit(${pp}).offset((${pageText} - 1) * ${pp})).all()`);
        fx.todo(call, PAGE_TODO_SQLA);
      },
    },
  },
  docs: {
    summary:
      'Flask-SQLAlchemy 3\'s `db.get_or_404(Model, id)`, `db.first_or_404(stmt)`, `db.one_or_404(stmt)` and `db.paginate(stmt)` run a select and answer 404 when nothing matches. Django has `get_object_or_404(Model, pk=id)` and `Paginator`; with FastAPI the query runs on the endpoint\'s Session and a small helper raises `HTTPException(status_code=404)`.',
    notes: [
      'Django\'s `get_object_or_404(queryset)` raises MultipleObjectsReturned (500) when several rows match: `first_or_404` is ported with a `[:1]` slice to keep "first row" semantics.',
      'Flask answers 404 with an HTML error page; FastAPI\'s HTTPException answers JSON `{"detail": "Not Found"}`.',
      '`paginate()` read `page` and `per_page` from the query string when not given: the port reads `page` only (Django `request.GET`, a FastAPI `page` query parameter) and uses 20 rows per page.',
      'Django\'s `Paginator.get_page()` clamps out-of-range pages to the last one instead of answering 404.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/queries/#queries-for-views',
      'https://flask-sqlalchemy.readthedocs.io/en/stable/pagination/',
      'https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#get-object-or-404',
      'https://docs.djangoproject.com/en/stable/topics/pagination/',
      'https://fastapi.tiangolo.com/tutorial/handling-errors/',
    ],
  },
});
