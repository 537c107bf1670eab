import { defineRule } from '../../../analysis/rule';
import { isFlaskRequest, mappingFixes } from '../../_shared/flaskRequest';

export default defineRule({
  id: 'flask-request-cookies',
  from: 'flask',
  category: 'request',
  title: 'request.cookies',
  message: '`request.cookies` reads Flask\'s request cookies: use `request.COOKIES` in Django, or a `Cookie()` parameter of the FastAPI endpoint.',
  effortMinutes: 2,
  needles: ['cookies'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, 'cookies') },
  fixes: mappingFixes({
    attr: 'cookies',
    django: 'COOKIES',
    kind: 'Cookie',
    valueType: 'str',
    fastapiMapping: { code: 'request.cookies', awaited: false },
  }),
  docs: {
    summary:
      'Flask reads cookies from `request.cookies`. Django has the plain dict `request.COOKIES`; FastAPI declares a `Cookie()` parameter (`theme: Annotated[str, Cookie()] = "light"`) or reads `request.cookies`.',
    notes: [
      'A missing `request.cookies["sid"]` answers 400 in Flask, 422 in FastAPI (required parameter) and raises KeyError (500) in Django.',
      'Signed values (Flask\'s session cookie, itsdangerous) are not readable across frameworks: Django has `request.get_signed_cookie()`.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request.cookies',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.COOKIES',
      'https://fastapi.tiangolo.com/tutorial/cookie-params/',
    ],
  },
});
