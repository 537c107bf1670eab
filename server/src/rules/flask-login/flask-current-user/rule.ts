import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { isReference } from '../../../analysis/bindings';
import type { Node } from '../../../parsing/python';
import { djangoRequest } from '../../_shared/flask';
import { currentUserParam, FL_CURRENT_USER } from '../../_shared/flaskLogin';

/** The attribute read on the user, if any: `current_user.is_authenticated` → 'is_authenticated'. */
function attrOf(n: Node): string | undefined {
  const p = n.parent;
  return p?.type === 'attribute' && p.childForFieldName('object')?.id === n.id ? p.childForFieldName('attribute')?.text : undefined;
}

const isUser = (q: string | undefined, n: Node) => q === FL_CURRENT_USER && (n.type !== 'identifier' || isReference(n));

function needsTodo(m: RuleMatch): string | undefined {
  const a = attrOf(m.captures.finding);
  if (a === 'get_id') return 'Django users have no get_id(): use str(request.user.pk)';
  if (a === '_get_current_object') return 'request.user is the user itself: drop _get_current_object()';
  return undefined;
}

export default defineRule({
  id: 'flask-current-user',
  from: 'flask-login',
  category: 'auth',
  title: 'current_user',
  message: 'Flask-Login `current_user` is the logged-in user: Django has `request.user`; FastAPI gets the user from a dependency parameter.',
  effortMinutes: 2,
  needles: ['current_user'],
  refersTo: [FL_CURRENT_USER],
  requires: { finding: isUser },
  fixes: {
    django: {
      title: 'Use request.user',
      safe: true,
      apply(m, fx) {
        const n = m.captures.finding;
        const req = djangoRequest(m, fx, n);
        if (!req) return false;
        fx.replace(n, `${req}.user`);
        const t = needsTodo(m);
        if (t) fx.todo(n, t);
      },
    },
    fastapi: {
      title: 'Take the user as a dependency parameter',
      safe: false,
      apply(m, fx) {
        const n = m.captures.finding;
        const fn = fx.enclosingFunction(n);
        if (!fn) return false;
        fx.replace(n, currentUserParam(m, fx, fn));
        const a = attrOf(n);
        if (a === 'is_authenticated' || a === 'is_anonymous')
          fx.todo(n, `get_current_user answers 401 for anonymous requests, so \`${a}\` is constant here: make the dependency return None for anonymous users if this endpoint serves them`);
      },
    },
  },
  docs: {
    summary:
      'Flask-Login\'s `current_user` is a proxy to the logged-in user (or an anonymous user). Django puts the user on the request: `request.user` (AnonymousUser when logged out; `is_authenticated` works the same). FastAPI has no global: the endpoint takes `current_user: Annotated[User, Depends(get_current_user)]`.',
    notes: [
      'Django: the view must take `request`; a helper function that read `current_user` now needs the request passed in.',
      'Django user objects are instances of AUTH_USER_MODEL: custom attributes of the Flask user model (e.g. `is_admin`) need to exist on it.',
      'FastAPI: a dependency that raises 401 means `is_authenticated` is always true in the endpoint; for pages open to anonymous users, make the dependency return None instead.',
      'Password hashes (Werkzeug vs Django PBKDF2) and session cookies are not compatible between frameworks.',
    ],
    links: [
      'https://flask-login.readthedocs.io/en/latest/#flask_login.current_user',
      'https://docs.djangoproject.com/en/stable/topics/auth/default/#authentication-in-web-requests',
      'https://fastapi.tiangolo.com/tutorial/security/get-current-user/',
    ],
  },
});
