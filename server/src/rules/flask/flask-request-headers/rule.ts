import { defineRule } from '../../../analysis/rule';
import { isFlaskRequest, mappingFixes } from '../../_shared/flaskRequest';

export default defineRule({
  id: 'flask-request-headers',
  from: 'flask',
  category: 'request',
  title: 'request.headers',
  message: '`request.headers` reads Flask\'s request headers: Django\'s `request.headers` works alike in a view that takes `request`; FastAPI declares a `Header()` parameter.',
  effortMinutes: 2,
  needles: ['headers'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, 'headers') },
  fixes: mappingFixes({
    attr: 'headers',
    django: 'headers',
    kind: 'Header',
    valueType: 'str',
    fastapiMapping: { code: 'request.headers', awaited: false },
  }),
  docs: {
    summary:
      'Flask reads request headers from `request.headers`. Django\'s `request.headers` (4.2+) is the same case-insensitive mapping, so only the view\'s `request` parameter is needed; FastAPI declares `x_api_key: Annotated[str | None, Header()] = None` (underscores become hyphens) or reads `request.headers` from `request: Request`.',
    notes: [
      'FastAPI\'s `Header()` turns `x_api_key` into the `x-api-key` header; an alias is only added when the name cannot be derived that way.',
      'Werkzeug\'s `headers.get(k, type=int)` has no equivalent in Django: the fix converts with int() and leaves a TODO; FastAPI answers 422 when the value does not convert.',
      'A missing `request.headers["X"]` answers 400 in Flask, 422 in FastAPI (required parameter) and raises KeyError (500) in Django.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request.headers',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.headers',
      'https://fastapi.tiangolo.com/tutorial/header-params/',
    ],
  },
});
