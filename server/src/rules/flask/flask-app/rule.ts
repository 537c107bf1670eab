import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';

/** Flask(import_name, static_url_path, static_folder, ...) options by name. */
const POSITIONAL = ['import_name', 'static_url_path', 'static_folder'];

function options(m: RuleMatch, fx: FixBuilder): Map<string, Node> | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || positional.length > POSITIONAL.length) return undefined;
  const out = new Map<string, Node>();
  positional.forEach((p, i) => out.set(POSITIONAL[i], p));
  for (const [k, v] of keywords) out.set(k, v);
  void fx;
  return out;
}

/** `app` in `app = Flask(...)`. */
function assignedName(call: Node): { name: string; stmt: Node } | undefined {
  const a = call.parent;
  if (a?.type !== 'assignment' || a.childForFieldName('right')?.id !== call.id) return undefined;
  const left = a.childForFieldName('left');
  if (left?.type !== 'identifier' || a.parent?.type !== 'expression_statement') return undefined;
  return { name: left.text, stmt: a.parent };
}

export default defineRule({
  id: 'flask-app',
  from: 'flask',
  category: 'app-setup',
  title: 'Flask application object',
  message: '`Flask(__name__)` creates the application: FastAPI has `FastAPI()`; Django has no application object (settings.py, urls.py, INSTALLED_APPS).',
  effortMinutes: 15,
  needles: ['Flask'],
  requires: { fn: ['flask.Flask'] },
  fixes: {
    fastapi: {
      title: 'Replace Flask(__name__) with FastAPI()',
      safe: false,
      apply(m, fx) {
        const opts = options(m, fx);
        if (!opts) return false;
        const call = m.captures.finding;
        const FastAPI = fx.importFrom('fastapi', 'FastAPI');
        const target = assignedName(call);
        const staticFolder = opts.get('static_folder');
        const staticUrl = opts.get('static_url_path');
        const others = [...opts.keys()].filter((k) => !['import_name', 'static_folder', 'static_url_path', 'template_folder'].includes(k));
        if (others.length) fx.todo(call, `Flask option ${others.map((k) => `\`${k}\``).join(', ')} has no FastAPI equivalent: port it by hand`);
        const tf = opts.get('template_folder');
        if (tf) fx.todo(call, `templates live in ${tf.text}: point Jinja2Templates(directory=...) there`);
        if (staticFolder?.type === 'none') {
          // no static files: nothing to mount
        } else if (staticFolder && target) {
          const url = (staticUrl && stringValue(staticUrl)) ?? `/${(stringValue(staticFolder) ?? 'static').split('/').pop()}`;
          const StaticFiles = fx.importFrom('fastapi.staticfiles', 'StaticFiles');
          const Path = fx.importFrom('pathlib', 'Path');
          const ind = fx.indentOf(target.stmt);
          fx.insert(target.stmt.endIndex, `\n${ind}${target.name}.mount(${pyString(url)}, ${StaticFiles}(directory=${Path}(__file__).parent / ${fx.text(staticFolder)}), name="static")`);
        } else {
          fx.todo(call, `Flask served the package's static/ folder at /static: if there is one, mount it: ${target?.name ?? 'app'}.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")`);
        }
        fx.replace(call, `${FastAPI}()`);
      },
    },
    django: {
      title: 'Mark the app object for porting to settings.py / urls.py',
      safe: false,
      apply(m, fx) {
        if (!options(m, fx)) return false;
        fx.todo(
          m.captures.finding,
          'Django has no application object: move its configuration into settings.py, its routes into urls.py (ROOT_URLCONF) and each blueprint into an app listed in INSTALLED_APPS; delete this once nothing uses it',
        );
      },
    },
  },
  docs: {
    summary:
      '`app = Flask(__name__)` (at module level or in an app factory) creates the WSGI application. FastAPI: `app = FastAPI()` (an ASGI app). Django has no application object: settings.py, the root urls.py and INSTALLED_APPS take its place.',
    notes: [
      'Flask serves the package\'s `static/` folder at `/static` by itself; FastAPI needs `app.mount("/static", StaticFiles(directory=...), name="static")` (the name makes `url_for("static", path=...)` work).',
      'Flask resolves `static_folder`/`template_folder` against the package folder; the fix keeps that with `Path(__file__).parent / ...` (Starlette resolves relative directories against the working directory).',
      'Incremental port: a FastAPI app can serve the old Flask app while routes move over, `app.mount("/v1", WSGIMiddleware(flask_app))` (`from fastapi.middleware.wsgi import WSGIMiddleware`, or the `a2wsgi` package in newer Starlette).',
      'Run the FastAPI app with an ASGI server (`uvicorn module:app`) instead of `flask run`/gunicorn WSGI; `app.run(debug=True)` has no FastAPI equivalent (`uvicorn.run(app, reload=...)`).',
    ],
    links: [
      'https://fastapi.tiangolo.com/tutorial/first-steps/',
      'https://fastapi.tiangolo.com/tutorial/static-files/',
      'https://fastapi.tiangolo.com/advanced/wsgi/',
      'https://docs.djangoproject.com/en/stable/ref/settings/',
      'https://docs.djangoproject.com/en/stable/ref/applications/',
    ],
  },
});
