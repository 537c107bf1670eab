import { defineRule } from '../../../analysis/rule';
import {
  djangoColumnOptions,
  djangoFieldType,
  isModelColumn,
  parseColumn,
  sa2Column,
  TYPES,
} from '../../_shared/sqlalchemyTypes';

const AUTO_FIELDS: Record<string, string | undefined> = { Integer: 'AutoField', BigInteger: 'BigAutoField', SmallInteger: 'SmallAutoField' };

export default defineRule({
  id: 'fsa-column',
  from: 'flask-sqlalchemy',
  category: 'models',
  title: 'Flask-SQLAlchemy column',
  message: (m) =>
    m.ctx.target === 'django-orm'
      ? `Flask-SQLAlchemy column \`${m.captures.name.text} = db.Column(…)\`: becomes a Django model field.`
      : `Flask-SQLAlchemy column \`${m.captures.name.text} = db.Column(…)\`: becomes a typed SQLAlchemy 2.0 \`Mapped[…] = mapped_column(…)\`.`,
  effortMinutes: 2,
  needles: ['Column'],
  requires: { column: (_q, n, m) => isModelColumn(m, n, m.captures.finding.parent!) },
  // columns with a ForeignKey are fsa-foreign-key's; columns of an unknown type are left to a person
  when: (m) => {
    const info = parseColumn(m, m.captures.call);
    return !info.fk && !!info.typeName && !!TYPES[info.typeName];
  },
  fixes: {
    'django-orm': {
      title: 'Convert to a Django model field',
      safe: false,
      apply(m, fx) {
        const info = parseColumn(m, m.captures.call);
        if (info.splats.length) return false;
        const stmt = m.captures.finding.parent!;
        const name = m.captures.name.text;
        const pk = info.kw.get('primary_key')?.text === 'True';
        const auto = pk && AUTO_FIELDS[info.typeName!] && info.kw.get('autoincrement')?.text !== 'False';
        if (auto && name === 'id' && !info.nameArg && [...info.kw.keys()].every((k) => ['primary_key', 'autoincrement', 'nullable'].includes(k))) {
          // Django adds `id = models.AutoField(primary_key=True)` (DEFAULT_AUTO_FIELD) itself
          fx.deleteStatement(stmt);
          return;
        }
        const models = fx.importFrom('django.db', 'models');
        let field: string;
        let args: string[];
        if (auto) {
          field = AUTO_FIELDS[info.typeName!]!;
          args = [];
        } else {
          const t = djangoFieldType(m, fx, info);
          if (!t) return false;
          field = t.field;
          args = t.args;
          if (t.todo) fx.todo(stmt, t.todo);
        }
        args.push(...djangoColumnOptions(m, fx, info, stmt, { pk }));
        fx.replace(m.captures.call, `${models}.${field}(${args.join(', ')})`);
      },
    },
    sqlalchemy2: {
      title: 'Convert to Mapped[…] = mapped_column(…)',
      safe: true,
      apply(m, fx) {
        const info = parseColumn(m, m.captures.call);
        const text = sa2Column(m, fx, m.captures.name.text, info);
        if (!text) return false;
        fx.replace(m.captures.finding, text);
      },
    },
  },
  docs: {
    summary:
      'A Flask-SQLAlchemy `db.Column(db.String(80), nullable=False)` becomes a Django field (`models.CharField(max_length=80)`) or a typed SQLAlchemy 2.0 attribute (`name: Mapped[str] = mapped_column(String(80))`), where the annotation gives the Python type and nullability.',
    notes: [
      'SQLAlchemy columns are nullable unless `nullable=False` or a primary key; Django fields are NOT NULL by default. The Django fix writes `null=True, blank=True` to keep the existing schema; SQLAlchemy 2.0 writes `Mapped[T | None]`.',
      'An Integer `id` primary key is dropped in Django, which adds `id` itself with DEFAULT_AUTO_FIELD (BigAutoField in new projects: set it to AutoField to match an INTEGER column).',
      '`default=datetime.utcnow` becomes `default=timezone.now` in Django: with USE_TZ=True it stores aware UTC datetimes instead of naive ones. `onupdate=` a "now" function becomes `auto_now=True`, which also fills the field on insert.',
      '`server_default=` has no Django 4.2 counterpart (Django 5.0 adds `db_default=`): the fix leaves a TODO.',
      '`index=True` becomes `db_index=True`; `comment=` becomes `db_comment=` (Django 4.2+). Enum columns become CharFields with choices.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/models/',
      'https://docs.djangoproject.com/en/stable/ref/models/fields/',
      'https://docs.sqlalchemy.org/en/20/orm/declarative_tables.html#using-annotated-declarative-table-type-annotated-forms-for-mapped-column',
    ],
  },
});
