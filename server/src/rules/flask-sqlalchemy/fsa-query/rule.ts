import { defineRule } from '../../../analysis/rule';
import { applyPorted, modelQueryBase, parseChain, sessionFor, toDjango, toSqla2 } from '../../_shared/sqlaQuery';

export default defineRule({
  id: 'fsa-query',
  from: 'flask-sqlalchemy',
  category: 'queries',
  title: 'Model.query chain',
  message: (m) => `\`${m.captures.finding.text.split('.query')[0]}.query…\` is Flask-SQLAlchemy's legacy query API: port it to the target ORM's queryset or select().`,
  effortMinutes: 4,
  needles: ['.query'],
  unboundNames: ['cls'], // `cls.query` in a model's classmethod (sqlaQuery.ts)
  requires: { finding: (_q, node, m) => !!parseChain(m, node, modelQueryBase) },
  fixes: {
    'django-orm': {
      title: 'Rewrite as a Django queryset',
      safe: true,
      apply(m, fx) {
        const ch = parseChain(m, m.captures.finding, modelQueryBase);
        if (!ch) return false;
        applyPorted(fx, ch.outer, toDjango(m, fx, ch), 'Django ORM');
      },
    },
    sqlalchemy2: {
      title: 'Rewrite as a SQLAlchemy 2.0 select() run on a session',
      safe: true,
      apply(m, fx) {
        const ch = parseChain(m, m.captures.finding, modelQueryBase);
        if (!ch) return false;
        const session = sessionFor(m, fx, ch.outer);
        if (!session) return false;
        applyPorted(fx, ch.outer, toSqla2(m, fx, ch, session), 'SQLAlchemy 2.0');
      },
    },
  },
  docs: {
    summary:
      'Flask-SQLAlchemy\'s `Model.query` is the legacy SQLAlchemy Query API. In Django it becomes a `Model.objects` queryset (`filter(age__gt=18)`, `order_by("-created")`, slicing for limit/offset, `get_object_or_404`); with FastAPI it becomes SQLAlchemy 2.0: a `select(Model)` statement run on a Session the endpoint gets from a dependency (`session.scalars(...)`, `session.get(...)`).',
    notes: [
      '`.all()` gives a lazy QuerySet in Django, not a list: wrap it in `list()` if the code mutates or concatenates the result.',
      '`Model.query.get(id)` returns None when missing: Django gets `.filter(pk=id).first()`, SQLAlchemy 2.0 `session.get(Model, id)`.',
      '`first_or_404()` returns the first of several rows; Django\'s `get_object_or_404(Model, **kw)` would raise MultipleObjectsReturned, so the port slices the queryset (`[:1]`) unless it filters on the primary key.',
      'Column comparisons become Django lookups (`User.age > 18` → `age__gt=18`); `!=` becomes `.exclude()`, which also keeps rows where the column is NULL (SQL `!=` dropped them).',
      '`.paginate()` returns a Django `Page` (`object_list`, `paginator.num_pages`, `has_next()`) that shows the last page for an out-of-range number, where Flask-SQLAlchemy answered 404.',
      'FastAPI: the 404 of `get_or_404` becomes an `HTTPException` (JSON `{"detail": "Not Found"}` instead of an HTML page). A sync Session in an `async def` endpoint blocks the event loop.',
      'Django: field names are assumed to be the column attribute names of the Flask-SQLAlchemy model; joins, `options()` and column selections are left for a person (TODO).',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/legacy-query/',
      'https://docs.djangoproject.com/en/stable/topics/db/queries/',
      'https://docs.djangoproject.com/en/stable/ref/models/querysets/',
      'https://docs.djangoproject.com/en/stable/topics/pagination/',
      'https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#orm-query-unified-with-core-select',
      'https://fastapi.tiangolo.com/tutorial/sql-databases/',
    ],
  },
});
