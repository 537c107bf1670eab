import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import { dbBinding, FSA_DB, FSA_MODEL } from '../../_shared/sqlaQuery';

const isCtor = (m: RuleMatch) => !m.captures.method && m.resolve(m.captures.fn) === 'flask_sqlalchemy.SQLAlchemy';
const isMethod = (m: RuleMatch) => !!m.captures.method && m.resolve(m.captures.obj) === FSA_DB;

/** `db = SQLAlchemy(...)`: the assignment statement, when the call is its whole right side. */
function assignment(m: RuleMatch) {
  const call = m.captures.finding;
  const asg = call.parent;
  if (asg?.type !== 'assignment' || asg.childForFieldName('right')?.id !== call.id || asg.childForFieldName('left')?.type !== 'identifier') return undefined;
  return asg.parent?.type === 'expression_statement' ? asg.parent : undefined;
}

/** Where `Base` and `engine` live: this module (where `db` was made) or the module `db` is imported from. */
function fromDbModule(m: RuleMatch, fx: FixBuilder, name: string): string {
  if (m.ctx.bindings.module.bindings.has(name)) return name;
  const db = dbBinding(m);
  const mod = db?.kind === 'from-import' ? db.stmt?.childForFieldName('module_name')?.text : undefined;
  return mod ? fx.importFrom(mod, name) : name;
}

const DJANGO_TODO: Record<string, string> = {
  ctor: 'Django configures the database in settings.DATABASES (this app\'s URL is SQLALCHEMY_DATABASE_URI) and models subclass django.db.models.Model: delete `db` once nothing uses it',
  init_app: 'Django connects to settings.DATABASES by itself: delete this once the Flask app is gone',
  create_all: 'Django creates tables with migrations: run `python manage.py makemigrations` and `python manage.py migrate`, then delete this',
  drop_all: 'Django drops tables through migrations (`python manage.py migrate <app> zero`; `flush` empties them): delete this',
};

export default defineRule({
  id: 'fsa-db-setup',
  from: 'flask-sqlalchemy',
  category: 'app-setup',
  title: 'SQLAlchemy() setup',
  message: (m) =>
    isCtor(m)
      ? '`SQLAlchemy()` is Flask-SQLAlchemy\'s extension object: Django configures the database in settings; SQLAlchemy 2.0 uses an engine and a declarative Base.'
      : `\`db.${m.captures.method.text}()\` is Flask-SQLAlchemy setup: port it to Django settings and migrations or a SQLAlchemy 2.0 engine.`,
  effortMinutes: 10,
  needles: ['SQLAlchemy', 'init_app', 'create_all', 'drop_all'],
  requires: { finding: (_q, _n, m) => isCtor(m) || isMethod(m) },
  fixes: {
    'django-orm': {
      title: 'Note the Django settings / migrations that replace it',
      safe: false,
      apply(m, fx) {
        fx.todo(m.captures.finding, DJANGO_TODO[isCtor(m) ? 'ctor' : m.captures.method.text]);
      },
    },
    sqlalchemy2: {
      title: (m) => (isCtor(m) ? 'Create a SQLAlchemy engine' : `Port db.${m.captures.method.text}() to SQLAlchemy 2.0`),
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        if (isCtor(m)) {
          const stmt = assignment(m);
          const a = callArgs(call);
          const extra = [...a.keywords.keys()].filter((k) => k !== 'model_class');
          if (!stmt || extra.length || a.splats.length) {
            fx.todo(call, 'create `engine = create_engine(url)` and a DeclarativeBase for the models instead of this SQLAlchemy() (its options need porting by hand)');
            return;
          }
          const ind = fx.indentOf(stmt);
          const lines = [`# TODO(port): \`${stmt.namedChildren[0]!.childForFieldName('left')!.text}\` is gone: models subclass a DeclarativeBase, queries use a Session on this engine; the URL was SQLALCHEMY_DATABASE_URI [fsa-db-setup]`];
          if (!m.ctx.bindings.module.bindings.has('engine')) lines.push(`engine = ${fx.importFrom('sqlalchemy', 'create_engine')}(${fx.importModule('os')}.environ["DATABASE_URL"])`);
          const modelClass = a.keywords.get('model_class');
          if (modelClass && modelClass.text !== 'Base') lines.push(`Base = ${fx.text(modelClass)}`);
          fx.replace(stmt, lines.map((l, i) => (i === 0 || !l ? l : ind + l)).join('\n'));
          fx.unsafe();
          return;
        }
        const stmt = fx.statementOf(call);
        const alone = call.parent?.type === 'expression_statement';
        const method = m.captures.method.text;
        if (method === 'init_app') {
          if (!alone) return false;
          fx.deleteStatement(stmt);
          return;
        }
        if (callArgs(call).positional.length || callArgs(call).keywords.size) {
          fx.todo(call, `db.${method}() with arguments: call Base.metadata.${method}(engine) with the matching options`);
          return;
        }
        // Base is where the models are (fsa-model defines it there): here, or a models module to import it from
        const mod = m.ctx.bindings.module;
        const localModels = mod.bindings.has('Base') || [...mod.bindings.values()].some((l) => l.some((b) => b.kind === 'class' && m.ctx.bindings.resolveBinding(b) === FSA_MODEL));
        fx.replace(call, `Base.metadata.${method}(${fromDbModule(m, fx, 'engine')})`);
        if (!localModels) fx.todo(call, 'import `Base` (the DeclarativeBase your models subclass) from the models module');
      },
    },
  },
  docs: {
    summary:
      'Flask-SQLAlchemy\'s `db = SQLAlchemy()` / `db.init_app(app)` / `db.create_all()` set up the database. Django reads `settings.DATABASES` and creates tables with migrations; SQLAlchemy 2.0 uses `engine = create_engine(url)`, a `DeclarativeBase` for the models and `Base.metadata.create_all(engine)`.',
    notes: [
      'Django: keep SQLALCHEMY_DATABASE_URI\'s database in `DATABASES` (ENGINE, NAME, USER…); `create_all()` becomes `makemigrations` + `migrate`, and existing tables need `migrate --fake-initial` or matching `db_table` names.',
      'SQLAlchemy 2.0: the engine reads the URL from the DATABASE_URL environment variable; move it to your settings object if you have one. FastAPI endpoints get their Session from `get_session`.',
      '`create_all()` never alters existing tables in either ORM: use Alembic (SQLAlchemy) or migrations (Django) for schema changes.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/quickstart/',
      'https://docs.djangoproject.com/en/stable/ref/settings/#databases',
      'https://docs.djangoproject.com/en/stable/topics/migrations/',
      'https://docs.sqlalchemy.org/en/20/orm/quickstart.html',
      'https://docs.sqlalchemy.org/en/20/core/engines.html',
    ],
  },
});
