import { defineRule } from '../../../analysis/rule';
import { currentUserParam, FL_LOGIN_REQUIRED } from '../../_shared/flaskLogin';

export default defineRule({
  id: 'flask-login-required',
  from: 'flask-login',
  category: 'auth',
  title: '@login_required',
  message: 'Flask-Login `@login_required` guards a view: Django has its own `@login_required`; FastAPI asks for the user through a dependency.',
  effortMinutes: 3,
  needles: ['login_required'],
  requires: { deco: [FL_LOGIN_REQUIRED] },
  fixes: {
    django: {
      title: 'Use django.contrib.auth.decorators.login_required',
      safe: true,
      apply(m, fx) {
        fx.replace(m.captures.deco, fx.importFrom('django.contrib.auth.decorators', 'login_required'));
      },
    },
    fastapi: {
      title: 'Require the current user through a dependency',
      safe: false,
      apply(m, fx) {
        const deco = m.captures.finding;
        const start = fx.lineStart(deco.startIndex);
        if (fx.source.slice(start, deco.startIndex).trim() !== '') return false;
        fx.replaceRange(start, Math.min(fx.lineEnd(deco.endIndex) + 1, fx.source.length), '');
        currentUserParam(m, fx, m.captures.func);
      },
    },
  },
  docs: {
    summary:
      'Flask-Login\'s `@login_required` sends anonymous visitors to the login view. Django\'s `django.contrib.auth.decorators.login_required` does the same (to settings.LOGIN_URL, with `?next=`); FastAPI has no decorator: the endpoint takes `current_user: Annotated[User, Depends(get_current_user)]`, and the dependency answers 401 when nobody is logged in.',
    notes: [
      'Django redirects to settings.LOGIN_URL (Flask-Login: login_manager.login_view); set it to the ported login view.',
      'FastAPI answers 401 instead of redirecting to a login page: browsers see an error, not the login form. Write `get_current_user` (session cookie or OAuth2 token) — the generated stub always answers 401.',
      'Password hashes are not compatible: Werkzeug\'s `scrypt:`/`pbkdf2:sha256:` hashes are not Django\'s `pbkdf2_sha256$` format (add a custom password hasher or reset passwords); session cookies are not shared between frameworks, so everyone logs in again.',
    ],
    links: [
      'https://flask-login.readthedocs.io/en/latest/#flask_login.login_required',
      'https://docs.djangoproject.com/en/stable/topics/auth/default/#the-login-required-decorator',
      'https://fastapi.tiangolo.com/tutorial/security/get-current-user/',
    ],
  },
});
