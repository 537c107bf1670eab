import { defineRule } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import { djangoRequest, fastapiRequest } from '../../_shared/flask';
import { FL_LOGOUT_USER, SESSION_KEY } from '../../_shared/flaskLogin';

export default defineRule({
  id: 'flask-logout-user',
  from: 'flask-login',
  category: 'auth',
  title: 'logout_user()',
  message: 'Flask-Login `logout_user()` logs the user out: Django has `logout(request)`; with FastAPI the user id is removed from the session.',
  effortMinutes: 2,
  needles: ['logout_user'],
  requires: { fn: [FL_LOGOUT_USER] },
  fixes: {
    django: {
      title: 'Use django.contrib.auth.logout(request)',
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        const req = djangoRequest(m, fx, call);
        if (!req || callArgs(call).positional.length) return false;
        fx.replace(call, `${fx.importFrom('django.contrib.auth', 'logout')}(${req})`);
        if (call.parent?.type !== 'expression_statement') fx.todo(call, 'Django\'s logout() returns None (logout_user returned True)');
      },
    },
    fastapi: {
      title: 'Remove the user id from the session',
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        if (call.parent?.type !== 'expression_statement') return false;
        const req = fastapiRequest(m, fx, call);
        if (!req) return false;
        fx.replace(call, `${req}.session.pop("${SESSION_KEY}", None)`);
        fx.todo(call, `request.session needs SessionMiddleware; this undoes the login port's request.session["${SESSION_KEY}"] (a token-based login would be revoked or left to expire instead)`);
      },
    },
  },
  docs: {
    summary:
      'Flask-Login\'s `logout_user()` forgets the logged-in user. Django: `django.contrib.auth.logout(request)`. FastAPI: remove the user id the login port stored (`request.session.pop("user_id", None)`).',
    notes: [
      'Django\'s logout() flushes the whole session (other keys too); Flask-Login only removed its own keys and the remember cookie.',
      'Session cookies are not shared between frameworks, and Werkzeug password hashes are not Django\'s format.',
    ],
    links: [
      'https://flask-login.readthedocs.io/en/latest/#flask_login.logout_user',
      'https://docs.djangoproject.com/en/stable/topics/auth/default/#how-to-log-a-user-out',
      'https://www.starlette.io/middleware/#sessionmiddleware',
    ],
  },
});
