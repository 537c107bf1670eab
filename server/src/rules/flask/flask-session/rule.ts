import { defineRule, type RuleMatch } from '../../../analysis/rule';
import type { FixBuilder } from '../../../analysis/fixBuilder';
import { isReference } from '../../../analysis/bindings';
import type { Node } from '../../../parsing/python';
import { requestParam, sessionMiddlewareTodo } from '../../_shared/flaskRequest';

/** `session.<attr> = value` as a whole statement. */
function attrAssignment(n: Node): { attr: string; value: Node; stmt: Node } | undefined {
  const a = n.parent;
  if (a?.type !== 'attribute' || a.childForFieldName('object')?.id !== n.id) return undefined;
  const asg = a.parent;
  if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== a.id || asg.parent?.type !== 'expression_statement') return undefined;
  const value = asg.childForFieldName('right');
  return value ? { attr: a.childForFieldName('attribute')?.text ?? '', value, stmt: asg.parent } : undefined;
}

function port(target: 'django' | 'fastapi') {
  return (m: RuleMatch, fx: FixBuilder) => {
    const n = m.captures.finding;
    const req = requestParam(m, fx, n);
    if (!req) return false;
    const s = `${req}.session`;
    const set = attrAssignment(n);
    if (set?.attr === 'permanent') {
      if (target === 'django') {
        const v = set.value.type === 'true' ? 'None' : set.value.type === 'false' ? '0' : `None if ${fx.text(set.value)} else 0`;
        fx.replace(set.stmt, `${s}.set_expiry(${v})`);
        if (v !== 'None') fx.unsafe();
      } else {
        fx.todo(set.stmt, 'Starlette sessions have no per-session `permanent`: set max_age on SessionMiddleware (default two weeks)');
        fx.deleteStatement(set.stmt);
      }
    } else if (set?.attr === 'modified' && target === 'fastapi') {
      // Starlette writes the session cookie on every response: nothing to mark
      fx.deleteStatement(set.stmt);
    } else if (n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.id === n.id && !['get', 'pop', 'clear', 'setdefault', 'keys', 'items', 'values', 'update', 'modified'].includes(n.parent.childForFieldName('attribute')?.text ?? '')) {
      fx.todo(n, `\`session.${n.parent.childForFieldName('attribute')?.text}\` is Flask-specific: check it on ${s}`);
      fx.replace(n, s);
    } else {
      fx.replace(n, s);
    }
    if (target === 'fastapi') sessionMiddlewareTodo(m, fx);
  };
}

export default defineRule({
  id: 'flask-session',
  from: 'flask',
  category: 'session',
  title: 'session',
  message: 'Flask\'s `session` is per request: use `request.session` (Django\'s session framework, or Starlette\'s SessionMiddleware in FastAPI).',
  effortMinutes: 3,
  needles: ['session'],
  refersTo: ['flask.session'],
  requires: { finding: (q, n) => q === 'flask.session' && (n.type !== 'identifier' || isReference(n)) },
  fixes: {
    django: { title: 'Use request.session', safe: true, apply: port('django') },
    fastapi: { title: 'Use request.session (SessionMiddleware)', safe: false, apply: port('fastapi') },
  },
  docs: {
    summary:
      'Flask\'s `session` is a signed-cookie dict bound to the current request. Django has `request.session` (same dict API, stored by SESSION_ENGINE); FastAPI has `request.session` once Starlette\'s SessionMiddleware is installed.',
    notes: [
      'Existing session cookies are not readable by the new framework: users are logged out once after the switch.',
      'Values must be JSON-serializable in Django and Starlette; Flask\'s tagged JSON also stored datetimes, tuples, bytes and Markup.',
      '`session.clear()` stays `request.session.clear()`; Django\'s `flush()` would also delete the session row and cookie (what logout does).',
      '`session.permanent = True` becomes `request.session.set_expiry(None)` (SESSION_COOKIE_AGE) in Django; Starlette only has a global max_age on SessionMiddleware.',
      'FastAPI: `app.add_middleware(SessionMiddleware, secret_key=...)` (starlette.middleware.sessions, needs itsdangerous) must be added where the app is made; the fix leaves a TODO.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#sessions',
      'https://docs.djangoproject.com/en/stable/topics/http/sessions/',
      'https://www.starlette.io/middleware/#sessionmiddleware',
    ],
  },
});
