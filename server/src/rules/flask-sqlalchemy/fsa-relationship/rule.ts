import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import {
  classNamed,
  className,
  enclosingClass,
  foreignKeysOf,
  isFsa,
  isFsaModelClass,
  nullability,
  parseColumn,
  parseRelationship,
  relationshipsInFile,
  saText,
  tablesInFile,
  type RelInfo,
} from '../../_shared/sqlalchemyTypes';

function relOf(m: RuleMatch): RelInfo {
  const stmt = m.captures.finding.parent!;
  return parseRelationship(m, enclosingClass(stmt)!, stmt, m.captures.name.text, m.captures.call);
}

/** Which side of a one-to-many this relationship is: 'many-to-one' when its class holds the key. */
function direction(m: RuleMatch, r: RelInfo): { dir: 'many-to-one' | 'one-to-many' | 'unknown'; nullableKey?: boolean } {
  const me = className(r.cls);
  if (r.target === me) return { dir: r.kw.has('remote_side') ? 'many-to-one' : 'one-to-many' };
  const fkText = r.kw.get('foreign_keys')?.text;
  const pick = <T extends { name: string }>(l: T[]) => (fkText ? l.filter((f) => new RegExp(`\\b${f.name}\\b`).test(fkText)) : l);
  const mine = pick(foreignKeysOf(m, r.cls).filter((f) => f.target === r.target));
  if (mine.length) {
    const col = mine[0].stmt.namedChildren[0]?.childForFieldName('right');
    const nullableKey = col?.type === 'call' && isFsa(m.resolve(col.childForFieldName('function')), 'Column') ? nullability(parseColumn(m, col)) === 'yes' : undefined;
    return { dir: 'many-to-one', nullableKey };
  }
  const target = r.target ? classNamed(m, r.target) : undefined;
  if (target && foreignKeysOf(m, target).some((f) => f.target === me)) return { dir: 'one-to-many' };
  return { dir: 'unknown' };
}

/** The table name of `secondary=`: a db.Table of the file or a string. */
function secondaryTable(m: RuleMatch, sec: Node): string | undefined {
  const s = stringValue(sec);
  if (s !== undefined) return s;
  if (sec.type === 'identifier') return tablesInFile(m).get(sec.text)?.table;
  return undefined;
}

/** The column names of a db.Table of the file. */
function tableColumns(m: RuleMatch, sec: Node): string[] | undefined {
  if (sec.type !== 'identifier') return undefined;
  const t = tablesInFile(m).get(sec.text);
  if (!t) return undefined;
  return callArgs(t.call).positional.slice(1).map((c) => (c.type === 'call' ? stringValue(callArgs(c).positional[0]) ?? '?' : '?'));
}

export default defineRule({
  id: 'fsa-relationship',
  from: 'flask-sqlalchemy',
  category: 'models',
  title: 'Flask-SQLAlchemy relationship',
  message: (m) =>
    m.ctx.target === 'django-orm'
      ? `Flask-SQLAlchemy relationship \`${m.captures.name.text}\`: Django derives it from a ForeignKey (related_name) or declares a ManyToManyField.`
      : `Flask-SQLAlchemy relationship \`${m.captures.name.text}\`: becomes a typed SQLAlchemy 2.0 \`Mapped[…] = relationship(…)\`.`,
  effortMinutes: 5,
  needles: ['relationship'],
  requires: {
    column: (q, n, m) => {
      const cls = enclosingClass(m.captures.finding.parent!);
      if (!cls) return false;
      return isFsa(q, 'relationship') || (q === 'sqlalchemy.orm.relationship' && isFsaModelClass(m, cls));
    },
  },
  // an annotated assignment is already SQLAlchemy 2.0 style
  when: (m) => !m.captures.finding.childForFieldName('type'),
  fixes: {
    'django-orm': {
      title: 'Replace with the Django relation field',
      safe: false,
      apply(m, fx) {
        const r = relOf(m);
        const me = className(r.cls);
        const models = () => fx.importFrom('django.db', 'models');
        const deleteWithTodo = (_fx: FixBuilder, rr: RelInfo = r, todo?: string) => {
          if (todo) fx.todo(rr.stmt, todo);
          fx.deleteStatement(rr.stmt);
        };
        const sec = r.kw.get('secondary');
        if (sec) {
          // one ManyToManyField per pair: the first declaration in the file holds it
          const pair = relationshipsInFile(m).filter((o) => o.kw.get('secondary')?.text === sec.text && ((o.target === r.target && o.cls.id === r.cls.id) || (o.target === me && r.target === className(o.cls))));
          if (pair.length > 1 && pair[0].stmt.id !== r.stmt.id) {
            deleteWithTodo(fx, r, `\`${me}.${r.name}\` is the reverse side of \`${className(pair[0].cls)}.${pair[0].name}\`: Django gives it through the ManyToManyField's related_name`);
            return;
          }
          const table = secondaryTable(m, sec);
          const args = [pyString(r.target ?? 'Model')];
          const related = r.backref ?? r.backPopulates;
          if (related) args.push(`related_name=${pyString(related)}`);
          if (table) args.push(`db_table=${pyString(table)}`);
          const cols = tableColumns(m, sec);
          const expected = r.target === me ? [`from_${me.toLowerCase()}_id`, `to_${me.toLowerCase()}_id`] : [`${me.toLowerCase()}_id`, `${(r.target ?? '').toLowerCase()}_id`];
          const fits = cols && cols.length === 2 && expected.every((e) => cols.includes(e));
          fx.todo(
            r.stmt,
            `\`${me}.${r.name}\` is now a many-to-many manager, not a list: read it with \`.all()\`; ` +
            (fits
              ? `Django's table for this ManyToManyField also has an \`id\` column: add it to "${table}" with a migration, or map the table with a through= model`
              : `"${table ?? fx.text(sec)}" does not have Django's columns (${expected.join(', ')}, id): map it with a through= model instead`),
          );
          fx.replace(m.captures.finding, `${r.name} = ${models()}.ManyToManyField(${args.join(', ')})`);
          return;
        }
        const { dir } = direction(m, r);
        if (dir === 'many-to-one') {
          // the ForeignKey field (fsa-foreign-key) takes this name
          deleteWithTodo(fx);
          return;
        }
        if (dir === 'one-to-many') {
          const single = r.kw.get('uselist')?.text === 'False';
          const order = r.kw.get('order_by');
          const back = r.backref ? `; \`${r.target}.${r.backref}\` (backref) is the ForeignKey field itself` : '';
          const use = single
            ? `a OneToOneField's reverse accessor, which raises ${r.target}.DoesNotExist instead of giving None`
            : `the reverse manager of ${r.target}'s ForeignKey (related_name="${r.name}"): read it with \`.all()\``;
          deleteWithTodo(fx, r, `\`${me}.${r.name}\` is now ${use}${back}${order ? `; apply order_by=${fx.text(order)} with .order_by() or Meta.ordering` : ''}`);
          return;
        }
        deleteWithTodo(fx, r, `\`${me}.${r.name}\` relationship removed: no foreign key between ${me} and ${r.target ?? 'its target'} in this file; declare the Django ForeignKey (with related_name="${r.name}") on the model that holds the key`);
      },
    },
    sqlalchemy2: {
      title: 'Convert to Mapped[…] = relationship(…)',
      safe: true,
      apply(m, fx) {
        const r = relOf(m);
        const mapped = fx.importFrom('sqlalchemy.orm', 'Mapped');
        const rel = fx.importFrom('sqlalchemy.orm', 'relationship');
        const a = callArgs(r.call);
        if (a.splats.length) return false;
        const { dir, nullableKey } = direction(m, r);
        const uselist = r.kw.get('uselist')?.text;
        const lazy = stringValue(r.kw.get('lazy')) ?? r.kw.get('lazy')?.text;
        let scalar: boolean | undefined;
        if (r.kw.has('secondary')) scalar = false;
        if (uselist === 'False') scalar = true;
        else if (uselist === 'True') scalar = false;
        else if (scalar === undefined && dir !== 'unknown') scalar = dir === 'many-to-one';
        const first = a.positional[0];
        const args: string[] = [];
        const typed = scalar !== undefined && r.target && first && (stringValue(first) === r.target || first.text === r.target);
        for (const p of a.positional) if (!(typed && p.id === first!.id)) args.push(saText(m, fx, p));
        for (const [k, v] of r.kw) {
          if (k === 'lazy' && (lazy === 'True' || lazy === 'select' || lazy === 'dynamic')) continue;
          if (k === 'uselist' && typed) continue;
          args.push(`${k}=${saText(m, fx, v)}`);
        }
        const call = `${rel}(${args.join(', ')})`;
        if (!typed) {
          fx.todo(r.stmt, `annotate \`${r.name}\` with Mapped[...] (the direction of this relationship is not known from this file)`);
          fx.replace(m.captures.call, call);
          return;
        }
        const t = JSON.stringify(r.target);
        let ann: string;
        if (lazy === 'dynamic') {
          ann = `${fx.importFrom('sqlalchemy.orm', 'WriteOnlyMapped')}[${t}]`;
          fx.todo(r.stmt, `lazy="dynamic" became a write-only collection: read it with session.scalars(obj.${r.name}.select()); use DynamicMapped to keep the Query API`);
        } else if (scalar) ann = `${mapped}[${nullableKey ? `${fx.importFrom('typing', 'Optional')}[${t}]` : t}]`;
        else ann = `${mapped}[list[${t}]]`;
        fx.replace(m.captures.finding, `${r.name}: ${ann} = ${call}`);
      },
    },
  },
  docs: {
    summary:
      'A Flask-SQLAlchemy `db.relationship("Post", backref="author")` becomes, in SQLAlchemy 2.0, a typed `posts: Mapped[list["Post"]] = relationship(...)`. Django has no relationship attribute: the reverse side comes from the ForeignKey\'s related_name, and many-to-many is a `models.ManyToManyField`.',
    notes: [
      'Django reverse accessors are managers: `user.posts.all()`, not a list; a one-to-one reverse accessor raises DoesNotExist instead of giving None.',
      'Django\'s auto-created many-to-many table has an `id` column; an existing association table without one needs a migration or a `through=` model.',
      '`backref=` still works in SQLAlchemy 2.0 but is legacy: `back_populates=` on both sides gives typed attributes on both classes.',
      '`lazy="dynamic"` is legacy in 2.0: the fix uses `WriteOnlyMapped` (read with `session.scalars(user.posts.select())`); `DynamicMapped` keeps the old Query API.',
      'The SQLAlchemy 2.0 annotation decides the direction: `Mapped[list["Post"]]` is a collection, `Mapped["User"]` a scalar.',
    ],
    links: [
      'https://docs.sqlalchemy.org/en/20/orm/basic_relationships.html',
      'https://docs.sqlalchemy.org/en/20/orm/large_collections.html#write-only-relationships',
      'https://docs.djangoproject.com/en/stable/ref/models/fields/#manytomanyfield',
      'https://docs.djangoproject.com/en/stable/topics/db/queries/#related-objects',
    ],
  },
});
