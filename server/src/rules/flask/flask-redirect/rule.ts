import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';

import { isCallOf, parseUrlFor, portUrlFor, targetEndpoint } from '../../_shared/flaskApp';

function parts(m: RuleMatch): { location: Node; code?: Node } | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || positional.length > 2 || keywords.has('Response')) return undefined;
  const location = positional[0] ?? keywords.get('location');
  if (!location) return undefined;
  return { location, code: positional[1] ?? keywords.get('code') };
}

/** Django: `redirect("name", k=v)` when the url_for() maps onto it (no options), else undefined. */
function djangoNamedRedirect(m: RuleMatch, fx: FixBuilder, loc: Node): string | undefined {
  const u = parseUrlFor(fx, loc);
  if (!u || u.endpoint === undefined || u.endpoint === 'static' || u.anchor || u.unsupported.length || u.splats.length) return undefined;
  const ep = targetEndpoint(u, fx, 'django');
  if (ep.relative) return undefined;
  return [ep.code, ...u.values.map(([k, v]) => `${k}=${v}`)].join(', ');
}

export default defineRule({
  id: 'flask-redirect',
  from: 'flask',
  category: 'response',
  title: 'redirect()',
  message: '`redirect()` answers with a 302 redirect: port it to Django\'s `redirect()` or FastAPI\'s `RedirectResponse(..., status_code=302)`.',
  effortMinutes: 2,
  needles: ['redirect'],
  requires: { fn: ['flask.redirect'] },
  fixes: {
    django: {
      title: 'Replace with django.shortcuts.redirect()',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const codeText = p.code ? fx.text(p.code) : '302';
        const isUrlFor = isCallOf(m, p.location, ['flask.url_for']);
        if (codeText === '302' || codeText === '301') {
          const redirect = fx.importFrom('django.shortcuts', 'redirect');
          const perm = codeText === '301' ? ', permanent=True' : '';
          const named = isUrlFor ? djangoNamedRedirect(m, fx, p.location) : undefined;
          const target = named ?? (isUrlFor ? portUrlFor(m, fx, p.location, 'django', { asPath: true, forRedirect: true }) : fx.text(p.location));
          if (!target) return false;
          fx.replace(m.captures.finding, `${redirect}(${target}${perm})`);
          return;
        }
        // 303/307/308 or a computed code: Django's redirect() only knows 302 and 301
        const url = isUrlFor ? portUrlFor(m, fx, p.location, 'django', { asPath: true, forRedirect: true }) : fx.text(p.location);
        if (!url) return false;
        fx.replace(m.captures.finding, `${fx.importFrom('django.http', 'HttpResponseRedirect')}(${url}, status=${codeText})`);
      },
    },
    fastapi: {
      title: 'Replace with RedirectResponse(..., status_code=302)',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        let url: string | undefined;
        if (isCallOf(m, p.location, ['flask.url_for'])) url = portUrlFor(m, fx, p.location, 'fastapi', { asPath: false, forRedirect: true });
        else url = fx.text(p.location);
        if (!url) return false;
        const RedirectResponse = fx.importFrom('fastapi.responses', 'RedirectResponse');
        fx.replace(m.captures.finding, `${RedirectResponse}(${url}, status_code=${p.code ? fx.text(p.code) : '302'})`);
      },
    },
  },
  docs: {
    summary:
      'Flask `redirect(location, code=302)`. Django\'s `redirect()` takes a URL or a URL name with its arguments (`redirect("blog:show", post_id=1)`) and `permanent=True` for 301; FastAPI returns `RedirectResponse(url, status_code=302)`.',
    notes: [
      'Starlette\'s `RedirectResponse` defaults to 307 (the browser repeats a POST); Flask\'s default is 302: the fix always passes `status_code`.',
      'Django\'s `redirect()` only makes 302 or 301 (`permanent=True`); other codes become `HttpResponseRedirect(url, status=...)`.',
      'Django\'s `redirect("name")` first tries the string as a URL name: a bare relative URL without `/` or `.` could be reversed by mistake.',
      'Blueprint endpoints `"blog.show"` become namespaced Django names `"blog:show"` (the blueprint\'s urls.py needs `app_name = "blog"`); FastAPI route names are plain function names.',
      'url_for keywords that are not URL variables became a query string in Flask; Django and Starlette raise instead.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#redirect',
      'https://www.starlette.io/responses/#redirectresponse',
      'https://fastapi.tiangolo.com/advanced/custom-response/#redirectresponse',
    ],
  },
});
