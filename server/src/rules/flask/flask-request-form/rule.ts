import { defineRule } from '../../../analysis/rule';
import { isFlaskRequest, mappingFixes } from '../../_shared/flaskRequest';

export default defineRule({
  id: 'flask-request-form',
  from: 'flask',
  category: 'request',
  title: 'request.form (form fields)',
  message: '`request.form` holds Flask\'s posted form fields: use `request.POST` in Django, or a `Form()` parameter of the FastAPI endpoint.',
  effortMinutes: 3,
  needles: ['form'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, 'form') },
  fixes: mappingFixes({
    attr: 'form',
    django: 'POST',
    kind: 'Form',
    valueType: 'str',
    fastapiMapping: { code: 'request.form()', awaited: true },
  }),
  docs: {
    summary:
      'Flask reads posted form fields from `request.form` (a MultiDict). Django has `request.POST` (a QueryDict with `get`/`getlist`); FastAPI declares each field as an endpoint parameter, `u: Annotated[str, Form()]`, or reads `await request.form()` in an async endpoint.',
    notes: [
      'FastAPI needs the python-multipart package to parse forms (`pip install python-multipart`).',
      'A missing `request.form["u"]` answers 400 in Flask; a required `Form()` parameter answers 422, and Django raises MultiValueDictKeyError (500).',
      'A FastAPI `Form()` parameter without default is required on every request to the endpoint: a view that shows the form on GET and reads it on POST must be split into two endpoints (the fix leaves a TODO).',
      'Django enforces CSRF on POST: forms need `{% csrf_token %}` (Flask only did with Flask-WTF); FastAPI has no CSRF protection.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request.form',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.POST',
      'https://fastapi.tiangolo.com/tutorial/request-forms/',
    ],
  },
});
