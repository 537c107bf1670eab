import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, stringValue } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import {
  classForTable,
  className,
  djangoColumnOptions,
  enclosingClass,
  foreignKeysOf,
  isModelColumn,
  nullability,
  parseColumn,
  relationshipsInFile,
  sa2Column,
  type RelInfo,
} from '../../_shared/sqlalchemyTypes';

const ON_DELETE: Record<string, string | undefined> = { CASCADE: 'CASCADE', 'SET NULL': 'SET_NULL', RESTRICT: 'PROTECT', 'NO ACTION': 'PROTECT', 'SET DEFAULT': 'SET_DEFAULT' };

const pascal = (table: string) => table.replace(/(^|_)([a-z0-9])/g, (_s, _u, c: string) => c.toUpperCase());

function fkRef(m: RuleMatch, fk: Node): { table?: string; column?: string } {
  const ref = stringValue(callArgs(fk).positional[0]);
  const dot = ref?.lastIndexOf('.') ?? -1;
  if (!ref || dot < 0) return {};
  return { table: ref.slice(0, dot), column: ref.slice(dot + 1) };
}

/** Whether a relationship's kwarg says `uselist=False` (directly or in its db.backref(...)). */
function kwText(r: RelInfo, k: string): string | undefined {
  return r.kw.get(k)?.text;
}

export default defineRule({
  id: 'fsa-foreign-key',
  from: 'flask-sqlalchemy',
  category: 'models',
  title: 'Flask-SQLAlchemy foreign key column',
  message: (m) =>
    m.ctx.target === 'django-orm'
      ? `Flask-SQLAlchemy foreign key column \`${m.captures.name.text}\`: becomes a Django \`models.ForeignKey\` to the model.`
      : `Flask-SQLAlchemy foreign key column \`${m.captures.name.text}\`: becomes \`Mapped[int] = mapped_column(ForeignKey(…))\`.`,
  effortMinutes: 4,
  needles: ['ForeignKey'],
  requires: { column: (_q, n, m) => isModelColumn(m, n, m.captures.finding.parent!) },
  when: (m) => !!parseColumn(m, m.captures.call).fk,
  fixes: {
    'django-orm': {
      title: 'Convert to a Django ForeignKey',
      safe: false,
      apply(m, fx) {
        const info = parseColumn(m, m.captures.call);
        if (info.splats.length || !info.fk) return false;
        const stmt = m.captures.finding.parent!;
        const cls = enclosingClass(stmt)!;
        const me = className(cls);
        const attr = m.captures.name.text;
        const { table, column } = fkRef(m, info.fk);
        const targetCls = table !== undefined ? classForTable(m, table) : undefined;
        const models = fx.importFrom('django.db', 'models');
        let target: string;
        if (targetCls) target = className(targetCls);
        else {
          target = table ? pascal(table) : 'Model';
          fx.todo(stmt, table ? `no model of this file maps table "${table}": point the ForeignKey at the right model ("app_label.Model")` : 'the ForeignKey target is not a "table.column" string: point it at the right model');
        }
        const rels = relationshipsInFile(m);
        const fksToTarget = foreignKeysOf(m, cls).filter((f) => f.target === target);
        const unique = fksToTarget.length <= 1;
        // a relationship uses this key when it names it in foreign_keys=, or when it is the only key between the classes
        const uses = (r: RelInfo) => {
          const fk = r.kw.get('foreign_keys');
          return fk ? new RegExp(`\\b${attr}\\b`).test(fk.text) : unique;
        };
        // the relationship on this class that uses this foreign key, and the one on the other side
        // on a self-referential key, the many-to-one side is the one with remote_side=
        const self = targetCls?.id === cls.id;
        const fwd = rels.filter((r) => r.cls.id === cls.id && r.target === target && !r.kw.has('secondary') && uses(r) && (!self || r.kw.has('remote_side')));
        const back = rels.filter((r) => r.target === me && targetCls && r.cls.id === targetCls.id && !r.kw.has('secondary') && uses(r) && (!self || !r.kw.has('remote_side')));
        const own = fwd.length === 1 ? fwd[0] : undefined;
        const other = back.length === 1 ? back[0] : undefined;

        let field: string;
        let dbColumn: string | undefined;
        const colName = stringValue(info.nameArg) ?? attr;
        if (own) field = own.name;
        else if (/^\w+_id$/.test(attr)) field = attr.slice(0, -3);
        else {
          field = attr;
          fx.todo(stmt, `\`${attr}\` now holds the related ${target} object; its id is \`${attr}_id\`: update code that reads it as an id`);
        }
        if (colName !== `${field}_id`) dbColumn = colName;

        const relatedName = other?.name ?? own?.backref ?? (other ? undefined : back.length === 0 ? rels.find((r) => r.cls.id === targetCls?.id && r.target === me)?.backref : undefined);
        const oneToOne =
          info.kw.get('unique')?.text === 'True' ||
          (other && kwText(other, 'uselist') === 'False') ||
          (own?.backrefNode?.type === 'call' && /\buselist\s*=\s*False\b/.test(own.backrefNode.text));

        const nul = nullability(info);
        const ondelete = stringValue(callArgs(info.fk).keywords.get('ondelete'))?.toUpperCase();
        let onDelete: string;
        if (ondelete && ON_DELETE[ondelete]) onDelete = ON_DELETE[ondelete]!;
        else {
          const cascade = stringValue(other?.kw.get('cascade')) ?? '';
          if (/\b(all|delete)\b/.test(cascade)) onDelete = 'CASCADE';
          else if ((other || own) && nul === 'yes') onDelete = 'SET_NULL'; // what the ORM did to loaded children
          else onDelete = 'PROTECT';
          if (ondelete) fx.todo(stmt, `ondelete="${ondelete}" has no Django on_delete counterpart: check models.${onDelete}`);
        }
        const fkKw = callArgs(info.fk).keywords;
        for (const k of fkKw.keys()) if (k !== 'ondelete') fx.todo(stmt, `ForeignKey option \`${k}=\` was dropped: port it by hand`);

        const args = [pyString(targetCls?.id === cls.id ? 'self' : target), `on_delete=${models}.${onDelete}`];
        if (relatedName) args.push(`related_name=${pyString(relatedName)}`);
        else if (!unique) args.push('related_name="+"'); // several keys to one model: Django's default accessors would clash
        if (column && column !== 'id') args.push(`to_field=${pyString(column)}`);
        if (dbColumn) args.push(`db_column=${pyString(dbColumn)}`);
        const rest = djangoColumnOptions(m, fx, { ...info, nameArg: undefined }, stmt, { pk: info.kw.get('primary_key')?.text === 'True', skip: ['unique', 'index'] });
        args.push(...rest);
        fx.replace(m.captures.finding, `${field} = ${models}.${oneToOne ? 'OneToOneField' : 'ForeignKey'}(${args.join(', ')})`);
      },
    },
    sqlalchemy2: {
      title: 'Convert to Mapped[…] = mapped_column(ForeignKey(…))',
      safe: true,
      apply(m, fx) {
        const text = sa2Column(m, fx, m.captures.name.text, parseColumn(m, m.captures.call));
        if (!text) return false;
        fx.replace(m.captures.finding, text);
      },
    },
  },
  docs: {
    summary:
      'A Flask-SQLAlchemy foreign key column `author_id = db.Column(db.Integer, db.ForeignKey("user.id"))` becomes a Django `author = models.ForeignKey("User", on_delete=…)` (which keeps the `author_id` column and attribute) or a SQLAlchemy 2.0 `author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))`.',
    notes: [
      'Django names the field after the relation (`author`) and keeps `author_id` as its column and attribute; the target model is found from the table name (`__tablename__` or the name Flask-SQLAlchemy derived).',
      'on_delete: `ondelete="CASCADE"` → CASCADE, "SET NULL" → SET_NULL, "RESTRICT" → PROTECT. Without ondelete the fix uses CASCADE when the relationship cascades deletes, SET_NULL for a nullable key with a relationship (what the SQLAlchemy ORM did to loaded children), else PROTECT. Django emulates on_delete in Python; it does not write ON DELETE into the schema.',
      '`related_name` comes from the `backref=` or `back_populates=` relationship of the file; the reverse accessor is a manager (`user.posts.all()`), not a list.',
      'Django indexes foreign keys by default; SQLAlchemy does not unless `index=True`.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/ref/models/fields/#foreignkey',
      'https://docs.sqlalchemy.org/en/20/orm/basic_relationships.html',
      'https://flask-sqlalchemy.readthedocs.io/en/stable/models/',
    ],
  },
});
