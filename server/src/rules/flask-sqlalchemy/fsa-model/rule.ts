import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { pyString, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import {
  FSA_MODEL,
  bodyStatements,
  classAssignments,
  classBases,
  className,
  classNamed,
  isAbstract,
  isDirectModelBase,
  baseCode,
  snakeCase,
} from '../../_shared/sqlalchemyTypes';

const USER_MIXIN = 'flask_login.UserMixin';

function hasMeta(cls: Node): boolean {
  return bodyStatements(cls).some((s) => s.type === 'class_definition' && className(s) === 'Meta');
}

/** A subclass of an abstract model base class defined in this file (`class Post(TimestampedModel)`). */
function abstractBaseSubclass(m: RuleMatch, cls: Node): boolean {
  return classBases(cls).some((b) => {
    if (b.type !== 'identifier' || m.resolve(b) !== FSA_MODEL) return false;
    const base = classNamed(m, b.text);
    return !!base && isAbstract(base) && classBases(base).some((bb) => isDirectModelBase(m, bb));
  });
}

function direct(m: RuleMatch): boolean {
  return classBases(m.captures.class).some((b) => isDirectModelBase(m, b));
}

/** Removes a class-body statement; when it opens the body, the blank line after it goes too. */
function deleteClassStatement(fx: FixBuilder, stmt: Node, first: boolean) {
  const start = fx.lineStart(stmt.startIndex);
  let end = fx.lineEnd(stmt.endIndex) + 1;
  if (first) while (/^[ \t]*\n/.test(fx.source.slice(end, fx.lineEnd(end) + 1)) && fx.lineEnd(end) + 1 > end) end = fx.lineEnd(end) + 1;
  fx.replaceRange(start, Math.min(end, fx.source.length), '');
}

/** Adds `class Meta:` after the class's last field (or in place of `replace`). */
function addMeta(fx: FixBuilder, cls: Node, lines: string[], removed: Set<number>) {
  const indent = fx.bodyIndent(cls);
  const meta = `${indent}class Meta:\n${lines.map((l) => `${indent}    ${l}`).join('\n')}`;
  const stmts = bodyStatements(cls);
  let lastField: Node | undefined;
  for (const s of stmts) {
    if (s.type === 'function_definition' || s.type === 'decorated_definition' || s.type === 'class_definition') break;
    if (!removed.has(s.id) && s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment') lastField = s;
  }
  if (lastField) {
    fx.insert(lastField.endIndex, `\n\n${meta}`);
    return;
  }
  const first = stmts.find((s) => !removed.has(s.id));
  if (first) fx.insert(first.startIndex, `${meta.slice(indent.length)}\n\n${indent}`);
  else fx.insert(stmts[stmts.length - 1].endIndex, `\n${meta}`);
}

export default defineRule({
  id: 'fsa-model',
  from: 'flask-sqlalchemy',
  category: 'models',
  title: 'Flask-SQLAlchemy model class',
  message: (m) =>
    m.ctx.target === 'django-orm'
      ? `Flask-SQLAlchemy model \`${m.captures.finding.text}\`: becomes a Django model (\`models.Model\`, table name in \`Meta.db_table\`).`
      : `Flask-SQLAlchemy model \`${m.captures.finding.text}\`: becomes a SQLAlchemy 2.0 declarative class on a \`DeclarativeBase\`.`,
  effortMinutes: 5,
  needles: ['Model'],
  requires: { class: (_q, n, m) => classBases(n).some((b) => m.resolve(b) === FSA_MODEL) },
  when: (m) => {
    const cls = m.captures.class;
    if (direct(m)) return true;
    if (!abstractBaseSubclass(m, cls)) return false;
    if (m.ctx.target === 'django-orm') return !hasMeta(cls);
    return !isAbstract(cls) && !classAssignments(cls).some((a) => a.name === '__tablename__');
  },
  fixes: {
    'django-orm': {
      title: 'Convert to a Django model',
      safe: true,
      apply(m, fx) {
        const cls = m.captures.class;
        const stmts = bodyStatements(cls);
        const removed = new Set<number>();
        const metaLines: string[] = [];
        const tn = classAssignments(cls).find((a) => a.name === '__tablename__');
        const abs = classAssignments(cls).find((a) => a.name === '__abstract__');
        if (abs && abs.value.text === 'True') {
          metaLines.push('abstract = True');
          removed.add(abs.stmt.id);
          deleteClassStatement(fx, abs.stmt, stmts[0]?.id === abs.stmt.id);
        }
        if (tn) {
          const name = stringValue(tn.value);
          if (name === undefined) {
            fx.todo(tn.stmt, '`__tablename__` is computed: set `Meta.db_table` to the table name by hand');
          } else {
            metaLines.push(`db_table = ${pyString(name)}`);
            removed.add(tn.stmt.id);
            deleteClassStatement(fx, tn.stmt, stmts[0]?.id === tn.stmt.id || removed.has(stmts[0]?.id ?? -1));
          }
        } else if (!metaLines.length) {
          // Flask-SQLAlchemy named the table after the class; Django would call it <app_label>_<model>
          metaLines.push(`db_table = ${pyString(snakeCase(className(cls)))}`);
        }
        const args = classAssignments(cls).find((a) => a.name === '__table_args__');
        if (args) fx.todo(args.stmt, '`__table_args__` is ignored by Django: move its constraints and indexes to `Meta.constraints` / `Meta.indexes`');
        if (metaLines.length) addMeta(fx, cls, metaLines, removed);

        const sup = cls.childForFieldName('superclasses')!;
        if (direct(m)) {
          const models = fx.importFrom('django.db', 'models');
          const parts: string[] = [];
          let mixin = false;
          for (const c of sup.namedChildren) {
            if (!c || c.type === 'comment') continue;
            if (c.type !== 'keyword_argument' && m.resolve(c) === USER_MIXIN) {
              mixin = true;
              continue;
            }
            parts.push(c.type !== 'keyword_argument' && isDirectModelBase(m, c) ? `${models}.Model` : fx.text(c));
          }
          fx.replace(sup, `(${parts.join(', ')})`);
          if (mixin) {
            fx.todo(cls, `\`${className(cls)}\` was a Flask-Login UserMixin: to make it Django's user model, subclass AbstractUser (or AbstractBaseUser + PermissionsMixin) and set AUTH_USER_MODEL; else keep it a plain model`);
          }
        }
      },
    },
    sqlalchemy2: {
      title: 'Convert to a SQLAlchemy 2.0 declarative class',
      safe: true,
      apply(m, fx) {
        const cls = m.captures.class;
        if (direct(m)) {
          const decl = fx.importFrom('sqlalchemy.orm', 'DeclarativeBase');
          fx.ensureModuleCode('Base', baseCode(decl));
          for (const b of classBases(cls)) if (isDirectModelBase(m, b)) fx.replace(b, 'Base');
        }
        const hasName = classAssignments(cls).some((a) => a.name === '__tablename__');
        if (!hasName && !isAbstract(cls)) {
          // plain SQLAlchemy has no default table name: write the one Flask-SQLAlchemy derived
          const stmts = bodyStatements(cls);
          const doc = stmts[0]?.type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string' ? stmts[0] : undefined;
          const line = `__tablename__ = ${pyString(snakeCase(className(cls)))}`;
          const indent = fx.bodyIndent(cls);
          const next = doc ? stmts[1] : stmts[0];
          if (doc) fx.insert(doc.endIndex, `\n${indent}${line}${next ? '\n' : ''}`);
          else if (next && !(next.type === 'expression_statement' && next.text === 'pass')) fx.insert(next.startIndex, `${line}\n\n${indent}`);
          else if (next) fx.replace(next, line);
        }
      },
    },
  },
  docs: {
    summary:
      'A Flask-SQLAlchemy model subclasses `db.Model`. Django models subclass `django.db.models.Model` and name their table in `class Meta: db_table`; SQLAlchemy 2.0 models subclass a `DeclarativeBase` class of your own and must name their table with `__tablename__`.',
    notes: [
      'Table names: Flask-SQLAlchemy derives `user_profile` from `UserProfile`; Django would use `<app_label>_userprofile`. The fix writes `Meta.db_table` (Django) or `__tablename__` (SQLAlchemy 2.0) so the existing tables keep working.',
      '`__abstract__ = True` becomes `class Meta: abstract = True` in Django.',
      '`db.Model` adds `Model.query` and a `<User 1>` repr; plain SQLAlchemy models have neither (use `session.execute(select(User))`).',
      'Flask-Login `UserMixin` has no Django counterpart: a user model subclasses `AbstractUser`/`AbstractBaseUser` and is named in AUTH_USER_MODEL; password hashes are not compatible.',
      'The SQLAlchemy 2.0 fix defines `class Base(DeclarativeBase)` in the module; with models in several modules, move it to one module and import it everywhere so they share one MetaData.',
    ],
    links: [
      'https://flask-sqlalchemy.readthedocs.io/en/stable/models/',
      'https://docs.djangoproject.com/en/stable/topics/db/models/',
      'https://docs.djangoproject.com/en/stable/ref/models/options/#db-table',
      'https://docs.sqlalchemy.org/en/20/orm/declarative_tables.html',
    ],
  },
});
