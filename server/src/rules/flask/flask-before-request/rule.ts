import { defineRule } from '../../../analysis/rule';
import { isAppOrBlueprint } from '../../_shared/flask';
import { djangoMiddleware, fastapiMiddleware } from '../../_shared/flaskApp';

export default defineRule({
  id: 'flask-before-request',
  from: 'flask',
  category: 'middleware',
  title: "@before_request hook",
  message: '`@before_request` runs before every request: it becomes an HTTP middleware (FastAPI) or a Django middleware.',
  effortMinutes: 10,
  needles: ['before_'],
  requires: { app: (q) => isAppOrBlueprint(q) },
  fixes: {
    fastapi: {
      title: 'Turn into @app.middleware("http")',
      safe: false,
      apply: (m, fx) => fastapiMiddleware(m, fx, 'before'),
    },
    django: {
      title: 'Turn into a Django middleware',
      safe: false,
      apply: (m, fx) => djangoMiddleware(m, fx, 'before'),
    },
  },
  docs: {
    summary: 'Flask `@app.before_request` runs a function before every request; returning a value short-circuits the view. FastAPI: an HTTP middleware (`@app.middleware("http")`) that calls `await call_next(request)`; Django: a middleware factory listed in settings.MIDDLEWARE.',
    notes: [
      'The FastAPI middleware is `async`: blocking calls in its body (database, files) now block the event loop; move them to a thread (`run_in_threadpool`) or keep them in dependencies.',
      'Order: Flask runs before_request hooks in registration order and after_request hooks in reverse; Starlette runs the middleware added last first, Django runs MIDDLEWARE top to bottom on the way in.',
      'Blueprint hooks only ran for the blueprint\'s requests: an APIRouter has no middleware (use router dependencies), and a Django middleware sees every request (check `request.path`).',
      'Flask `g` does not exist in the targets: use `request.state` (FastAPI) or attributes on `request` (Django).',
      'The Django middleware must be added to `settings.MIDDLEWARE` by its dotted path, at module level.',
    ],
    links: ['https://fastapi.tiangolo.com/tutorial/middleware/', 'https://docs.djangoproject.com/en/stable/topics/http/middleware/', 'https://flask.palletsprojects.com/en/stable/api/#flask.Flask.before_request'],
  },
});
