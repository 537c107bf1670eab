import { defineRule } from '../../../analysis/rule';
import { isFlaskRequest, mappingFixes } from '../../_shared/flaskRequest';

export default defineRule({
  id: 'flask-request-args',
  from: 'flask',
  category: 'request',
  title: 'request.args (query string)',
  message: '`request.args` is Flask\'s query string: use `request.GET` in Django, or a typed `Query()` parameter of the FastAPI endpoint.',
  effortMinutes: 3,
  needles: ['args'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, 'args') },
  fixes: mappingFixes({
    attr: 'args',
    django: 'GET',
    kind: 'Query',
    valueType: 'str',
    fastapiMapping: { code: 'request.query_params', awaited: false },
  }),
  docs: {
    summary:
      'Flask reads the query string from `request.args` (a MultiDict). Django has `request.GET` (a QueryDict with the same `get`/`getlist`); FastAPI declares each value as a typed endpoint parameter (`q: Annotated[str | None, Query()] = None`) and offers `request.query_params` for the rest.',
    notes: [
      '`request.args.get("page", 1, type=int)` returns the default when the value does not convert; FastAPI answers 422 instead, and Django\'s QueryDict.get has no `type=`: the Django fix converts with int() and leaves a TODO.',
      '`request.args["q"]` on a missing key answers 400 in Flask; FastAPI answers 422 (a required parameter), Django raises MultiValueDictKeyError (500).',
      'A FastAPI parameter is read on every request: a value Flask read only in some branch becomes required for the whole endpoint unless it has a default.',
      'Query keys that are not identifiers (`per-page`) keep their name through `Query(alias="per-page")`.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request.args',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.GET',
      'https://fastapi.tiangolo.com/tutorial/query-params/',
      'https://fastapi.tiangolo.com/tutorial/query-params-str-validations/',
    ],
  },
});
