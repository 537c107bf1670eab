import { defineRule } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import { djangoRequest, fastapiRequest } from '../../_shared/flask';
import { FL_LOGIN_USER, SESSION_KEY } from '../../_shared/flaskLogin';

const SIMPLE = ['identifier', 'attribute', 'call', 'subscript'];

export default defineRule({
  id: 'flask-login-user',
  from: 'flask-login',
  category: 'auth',
  title: 'login_user()',
  message: 'Flask-Login `login_user(user)` logs a user in: Django has `login(request, user)`; with FastAPI the user id goes into the session (or a token).',
  effortMinutes: 5,
  needles: ['login_user'],
  requires: { fn: [FL_LOGIN_USER] },
  fixes: {
    django: {
      title: 'Use django.contrib.auth.login(request, user)',
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        const a = callArgs(call);
        const user = a.positional[0] ?? a.keywords.get('user');
        if (!user || a.splats.length) return false;
        const req = djangoRequest(m, fx, call);
        if (!req) return false;
        fx.replace(call, `${fx.importFrom('django.contrib.auth', 'login')}(${req}, ${fx.text(user)})`);
        const remember = a.keywords.get('remember') ?? a.positional[1];
        const todos: string[] = [];
        if (remember) todos.push(`remember=${fx.text(remember)}: Django's session lasts SESSION_COOKIE_AGE (2 weeks); call ${req}.session.set_expiry(0) when the user should be forgotten at browser close`);
        for (const k of a.keywords.keys()) if (!['user', 'remember'].includes(k)) todos.push(`\`${k}=\` has no Django equivalent`);
        if (call.parent?.type !== 'expression_statement') todos.push('Django\'s login() returns None (login_user returned True)');
        if (todos.length) fx.todo(call, todos.join('; '));
      },
    },
    fastapi: {
      title: 'Store the user id in the session',
      safe: false,
      apply(m, fx) {
        const call = m.captures.finding;
        const a = callArgs(call);
        const user = a.positional[0] ?? a.keywords.get('user');
        if (!user || a.splats.length || call.parent?.type !== 'expression_statement') return false;
        const req = fastapiRequest(m, fx, call);
        if (!req) return false;
        const u = SIMPLE.includes(user.type) ? fx.text(user) : `(${fx.text(user)})`;
        fx.replace(call, `${req}.session["${SESSION_KEY}"] = ${u}.id`);
        const remember = a.keywords.get('remember') ?? a.positional[1];
        fx.todo(
          call,
          `request.session needs app.add_middleware(SessionMiddleware, secret_key=...) (starlette.middleware.sessions); get_current_user must read "${SESSION_KEY}"${remember ? `; remember=${fx.text(remember)} maps to the middleware's max_age` : ''}`,
        );
      },
    },
  },
  docs: {
    summary:
      'Flask-Login\'s `login_user(user, remember=...)` stores the user in the session. Django: `django.contrib.auth.login(request, user)` (it also rotates the session key). FastAPI has no login system: the port stores the user id in Starlette\'s session (`request.session["user_id"] = user.id`) for `get_current_user` to read; a token (OAuth2/JWT) is the other common choice.',
    notes: [
      'Django needs the user to be an AUTH_USER_MODEL instance; with several AUTHENTICATION_BACKENDS, pass `backend=` (or log in the user returned by `authenticate()`).',
      '`remember=True` set a year-long cookie in Flask-Login; Django sessions last SESSION_COOKIE_AGE (2 weeks) unless `request.session.set_expiry()` says otherwise.',
      'FastAPI: `request.session` exists only with `SessionMiddleware` (needs `itsdangerous`); it is a signed, not encrypted, cookie.',
      'Password hashes (Werkzeug vs Django PBKDF2) are not compatible, and session cookies are not shared between frameworks: users log in again after the switch.',
    ],
    links: [
      'https://flask-login.readthedocs.io/en/latest/#flask_login.login_user',
      'https://docs.djangoproject.com/en/stable/topics/auth/default/#how-to-log-a-user-in',
      'https://www.starlette.io/middleware/#sessionmiddleware',
      'https://fastapi.tiangolo.com/tutorial/security/',
    ],
  },
});
