import { defineRule } from '../../../analysis/rule';
import { isAppOrBlueprint } from '../../_shared/flask';
import { djangoMiddleware, fastapiMiddleware } from '../../_shared/flaskApp';

export default defineRule({
  id: 'flask-after-request',
  from: 'flask',
  category: 'middleware',
  title: '@after_request hook',
  message: '`@after_request` post-processes every response: it becomes an HTTP middleware (FastAPI) or a Django middleware.',
  effortMinutes: 10,
  needles: ['after_'],
  requires: { app: (q) => isAppOrBlueprint(q) },
  fixes: {
    fastapi: {
      title: 'Turn into @app.middleware("http")',
      safe: false,
      apply: (m, fx) => fastapiMiddleware(m, fx, 'after'),
    },
    django: {
      title: 'Turn into a Django middleware',
      safe: false,
      apply: (m, fx) => djangoMiddleware(m, fx, 'after'),
    },
  },
  docs: {
    summary: 'Flask `@app.after_request` gets the response of every request and returns it (modified). FastAPI: an HTTP middleware that awaits `call_next(request)` first; Django: a middleware factory that calls `get_response(request)` first.',
    notes: [
      'The FastAPI middleware is `async`: blocking calls in its body (database, files) now block the event loop; move them to a thread (`run_in_threadpool`) or keep them in dependencies.',
      'Order: Flask runs before_request hooks in registration order and after_request hooks in reverse; Starlette runs the middleware added last first, Django runs MIDDLEWARE top to bottom on the way in.',
      'Blueprint hooks only ran for the blueprint\'s requests: an APIRouter has no middleware (use router dependencies), and a Django middleware sees every request (check `request.path`).',
      'Flask `g` does not exist in the targets: use `request.state` (FastAPI) or attributes on `request` (Django).',
      'The Django middleware must be added to `settings.MIDDLEWARE` by its dotted path, at module level.',
    ],
    links: ['https://fastapi.tiangolo.com/tutorial/middleware/', 'https://docs.djangoproject.com/en/stable/topics/http/middleware/', 'https://flask.palletsprojects.com/en/stable/api/#flask.Flask.after_request'],
  },
});
