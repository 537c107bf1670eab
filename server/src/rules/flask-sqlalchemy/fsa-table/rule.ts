import { defineRule } from '../../../analysis/rule';
import { callArgs, stringValue } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { FSA_DB, baseCode, isFsa, relationshipsInFile } from '../../_shared/sqlalchemyTypes';

const ORM_NAMES = new Set(['relationship', 'backref']);

export default defineRule({
  id: 'fsa-table',
  from: 'flask-sqlalchemy',
  category: 'models',
  title: 'Flask-SQLAlchemy association table',
  message: (m) =>
    m.ctx.target === 'django-orm'
      ? `Flask-SQLAlchemy table \`${m.captures.name.text} = db.Table(…)\`: Django creates a many-to-many table from the ManyToManyField.`
      : `Flask-SQLAlchemy table \`${m.captures.name.text} = db.Table(…)\`: becomes a SQLAlchemy \`Table(…, Base.metadata, …)\`.`,
  effortMinutes: 3,
  needles: ['Table'],
  requires: { table: (q) => isFsa(q, 'Table') },
  fixes: {
    'django-orm': {
      title: 'Remove in favour of the ManyToManyField',
      safe: false,
      apply(m, fx) {
        const name = m.captures.name.text;
        const table = stringValue(callArgs(m.captures.call).positional[0]);
        const users = relationshipsInFile(m).filter((r) => {
          const sec = r.kw.get('secondary');
          return !!sec && (sec.text === name || (table !== undefined && stringValue(sec) === table));
        });
        const cols = callArgs(m.captures.call).positional.slice(1);
        const fkCols = cols.filter((c) => c.type === 'call' && c.text.includes('ForeignKey'));
        const stmt = m.captures.finding.parent!;
        if (users.length && cols.length === 2 && fkCols.length === 2) {
          // the ManyToManyField(db_table=...) of fsa-relationship stands for it; blank lines around it do not pile up
          let start = fx.lineStart(stmt.startIndex);
          const end = Math.min(fx.lineEnd(stmt.endIndex) + 1, fx.source.length);
          while (start > 0 && /\n[ \t]*\n$/.test(fx.source.slice(0, start))) start = fx.lineStart(start - 1);
          fx.replaceRange(start, end, '');
          return;
        }
        fx.todo(
          stmt,
          users.length
            ? `"${table ?? name}" has more than the two key columns of Django's many-to-many table: map it with a through= model (class Meta: db_table = "${table ?? name}") and ManyToManyField(through=...)`
            : `no relationship of this file uses "${table ?? name}": map it with a model (Meta.db_table = "${table ?? name}") or ManyToManyField(db_table="${table ?? name}")`,
        );
      },
    },
    sqlalchemy2: {
      title: 'Convert to a SQLAlchemy Table on Base.metadata',
      safe: true,
      apply(m, fx) {
        const call = m.captures.call;
        const a = callArgs(call);
        if (!a.positional.length || a.splats.length) return false;
        fx.replace(m.captures.table, fx.importFrom('sqlalchemy', 'Table'));
        fx.ensureModuleCode('Base', baseCode(fx.importFrom('sqlalchemy.orm', 'DeclarativeBase')));
        const second = a.positional[1];
        const hasMeta = second && (m.resolve(second) === `${FSA_DB}.metadata` || /metadata$/i.test(second.text));
        if (second && m.resolve(second) === `${FSA_DB}.metadata`) fx.replace(second, 'Base.metadata');
        else if (!hasMeta) {
          const first = a.positional[0];
          const multiline = second && second.startPosition.row !== first.startPosition.row;
          fx.insert(first.endIndex, multiline ? `,\n${fx.indentOf(first)}Base.metadata` : ', Base.metadata');
        }
        const visit = (n: Node) => {
          if (n.type === 'attribute' && m.resolve(n.childForFieldName('object')) === FSA_DB) {
            const attr = n.childForFieldName('attribute')!.text;
            if (attr !== 'metadata') fx.replace(n, fx.importFrom(ORM_NAMES.has(attr) ? 'sqlalchemy.orm' : 'sqlalchemy', attr));
            return;
          }
          for (const c of n.namedChildren) if (c) visit(c);
        };
        for (const p of [...a.positional.slice(1), ...a.keywords.values()]) visit(p);
      },
    },
  },
  docs: {
    summary:
      'A Flask-SQLAlchemy association table `db.Table("post_tags", db.Column(...), ...)` becomes a SQLAlchemy `Table("post_tags", Base.metadata, Column(...), ...)`; Django has no table objects: a `ManyToManyField(db_table="post_tags")` makes and uses the table.',
    notes: [
      'Flask-SQLAlchemy registers db.Table on db.metadata by itself; plain SQLAlchemy needs the MetaData (the declarative Base\'s) as the second argument.',
      'Django\'s many-to-many table has an `id` primary key column and `<model>_id` columns; an existing table without them needs a migration or a `through=` model.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/models/#defining-tables',
      'https://docs.sqlalchemy.org/en/20/orm/basic_relationships.html#many-to-many',
      'https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ManyToManyField.db_table',
    ],
  },
});
