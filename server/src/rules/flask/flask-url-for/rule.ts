import { defineRule } from '../../../analysis/rule';
import { isCallOf, portUrlFor } from '../../_shared/flaskApp';

export default defineRule({
  id: 'flask-url-for',
  from: 'flask',
  category: 'routing',
  title: 'url_for()',
  message: '`url_for()` builds a URL from an endpoint name: port it to `reverse()` (Django) or `request.url_for()` (FastAPI).',
  effortMinutes: 2,
  needles: ['url_for'],
  requires: { fn: ['flask.url_for'] },
  // url_for directly inside redirect() is ported with the redirect (flask-redirect)
  when: (m) => {
    const p = m.captures.finding.parent;
    const holder = p?.type === 'keyword_argument' ? p.parent : p;
    return !(holder?.type === 'argument_list' && isCallOf(m, holder.parent, ['flask.redirect']));
  },
  fixes: {
    django: {
      title: 'Replace url_for() with reverse()',
      safe: true,
      apply(m, fx) {
        const code = portUrlFor(m, fx, m.captures.finding, 'django', { asPath: true });
        if (!code) return false;
        fx.replace(m.captures.finding, code);
      },
    },
    fastapi: {
      title: 'Replace url_for() with request.url_for()',
      safe: true,
      apply(m, fx) {
        const code = portUrlFor(m, fx, m.captures.finding, 'fastapi', { asPath: true });
        if (!code) return false;
        fx.replace(m.captures.finding, code);
      },
    },
  },
  docs: {
    summary:
      'Flask `url_for("endpoint", **values)` builds a URL from an endpoint name. Django uses `reverse("name", kwargs={...})` (blueprint endpoints become namespaced `"blog:show"`) and `static("x.css")` for static files; FastAPI uses `request.url_for("name", **path_params)`.',
    notes: [
      'Flask turns keyword arguments that are not URL variables into a query string (`url_for("index", page=2)` → `/?page=2`); `reverse()` and Starlette\'s `url_for()` raise instead. Add the query string by hand (Starlette: `.include_query_params(page=2)`).',
      'Starlette\'s `request.url_for()` returns an absolute `URL` object: the fix takes `.path` to keep Flask\'s path string, or `str(...)` for `_external=True`.',
      'FastAPI route names are the endpoint function names, not namespaced by router: `"posts.index"` becomes `"index"`; two routers with the same function name clash (give the routes `name=`).',
      'Static files: Django `static()` needs `django.contrib.staticfiles`; FastAPI needs a `StaticFiles` mount named `"static"` (its parameter is `path=`, not `filename=`).',
      'Relative endpoints (`url_for(".edit")`) are resolved against the current blueprint in Flask: the fix leaves a TODO to check the name.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/ref/urlresolvers/#reverse',
      'https://docs.djangoproject.com/en/stable/ref/templates/builtins/#static',
      'https://www.starlette.io/routing/#reverse-url-lookups',
      'https://fastapi.tiangolo.com/tutorial/static-files/',
    ],
  },
});
