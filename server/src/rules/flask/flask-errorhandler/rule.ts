import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isAppOrBlueprint } from '../../_shared/flask';
import { deleteDecorator, hookOwner, isCallOf, ownReturns } from '../../_shared/flaskApp';

function codeArg(m: RuleMatch): Node | undefined {
  const { positional, keywords } = callArgs(m.captures.args);
  return positional.length === 1 && keywords.size === 0 ? positional[0] : undefined;
}

/** Returns that are not clearly a response (a tuple or a bare value), which a Starlette handler may not return. */
function nonResponseReturns(m: RuleMatch, fn: Node): Node[] {
  return ownReturns(fn).filter((r) => {
    const v = r.namedChildren[0];
    if (!v) return true;
    if (v.type === 'expression_list') return !isCallOf(m, v.namedChildren[0], ['flask.jsonify', 'flask.render_template', 'flask.make_response']);
    if (v.type === 'call') return isCallOf(m, v, ['flask.jsonify']);
    return v.type !== 'identifier' && v.type !== 'attribute';
  });
}

export default defineRule({
  id: 'flask-errorhandler',
  from: 'flask',
  category: 'errors',
  title: '@errorhandler',
  message: (m) => `\`@${m.captures.app.text}.${m.captures.hook.text}(${m.captures.args.text.slice(1, -1)})\` handles an error: FastAPI uses \`@app.exception_handler\`, Django \`handler404\`-style views in the root urls.py.`,
  effortMinutes: 5,
  needles: ['errorhandler'],
  requires: { app: (q) => isAppOrBlueprint(q) },
  fixes: {
    fastapi: {
      title: 'Turn into @app.exception_handler()',
      safe: true,
      apply(m, fx) {
        const code = codeArg(m);
        const fn = m.captures.func;
        if (!code || fx.paramNames(fn).length !== 1 || fx.paramNames(fn).includes('request')) return false;
        const Request = fx.importFrom('fastapi', 'Request');
        const q = m.resolve(code) ?? '';
        if (q.startsWith('werkzeug.exceptions.')) fx.todo(m.captures.finding, `Starlette raises its own exceptions: handle starlette.exceptions.HTTPException (or a status code) instead of ${code.text}`);
        const owner = hookOwner(m);
        const params = fn.childForFieldName('parameters')!;
        // the whole parameter list: another rule adding `request` in the same pass then waits for the next one
        fx.replace(params, `(request: ${Request}, ${fx.text(params).slice(1, -1).trim()})`);
        for (const r of nonResponseReturns(m, fn)) fx.todo(r, 'an exception handler must return a Response (e.g. JSONResponse(..., status_code=...))');
        if (owner !== 'app') {
          const name = fn.childForFieldName('name')?.text;
          fx.todo(m.captures.finding, `APIRouter has no exception handlers: register it on the app, app.add_exception_handler(${code.text}, ${name})`);
          deleteDecorator(fx, m.captures.finding);
          return;
        }
        fx.replace(m.captures.finding, `@${fx.text(m.captures.app)}.exception_handler(${fx.text(code)})`);
      },
    },
    django: {
      title: 'Turn into a Django error view (handler404 …)',
      safe: false,
      apply(m, fx) {
        const code = codeArg(m);
        const fn = m.captures.func;
        const names = fx.paramNames(fn);
        if (!code || names.length !== 1 || names.includes('request')) return false;
        const name = fn.childForFieldName('name')?.text ?? 'handler';
        const mod = m.ctx.bindings.moduleName || 'module';
        const nested = fx.enclosingFunction(fn) ? ' (move the function to module level first)' : '';
        const params = fn.childForFieldName('parameters')!;
        if (['400', '403', '404', '500'].includes(code.text)) {
          fx.todo(m.captures.finding, `in the root urls.py: handler${code.text} = "${mod}.${name}"${nested}; Django uses it only when DEBUG is False`);

        } else {
          fx.todo(m.captures.finding, `Django has no error view for ${code.text}: call this from a middleware's process_exception(request, exception) and return its response${nested}`);
        }
        for (const r of nonResponseReturns(m, fn)) fx.todo(r, 'an error view must return an HttpResponse (e.g. HttpResponse(..., status=...))');
        // handler500 is called with the request only
        const rest = fx.text(params).slice(1, -1).trim() + (code.text === '500' && !params.text.includes('=') ? '=None' : '');
        fx.replace(params, `(request, ${rest})`);
        deleteDecorator(fx, m.captures.finding);
      },
    },
  },
  docs: {
    summary:
      'Flask `@app.errorhandler(404)` (or an exception class) renders the response for an error. FastAPI: `@app.exception_handler(404)` with `(request, exc)`; Django: a view `(request, exception)` named by `handler404 = "module.view"` in the root urls.py.',
    notes: [
      'Starlette exception handlers take `(request, exc)` and must return a Response: a `(body, status)` tuple or a dict is not accepted.',
      'Django only has `handler400`, `handler403`, `handler404` and `handler500` (which takes only `request`), and uses them only with DEBUG = False; other exceptions go through a middleware\'s `process_exception`.',
      'Blueprint error handlers only applied to the blueprint\'s views: APIRouter has none, so the handler moves to the app (for every route).',
      'Werkzeug exception classes (`NotFound`, `HTTPException`) are not what FastAPI raises: use status codes or `starlette.exceptions.HTTPException`.',
    ],
    links: [
      'https://fastapi.tiangolo.com/tutorial/handling-errors/#install-custom-exception-handlers',
      'https://www.starlette.io/exceptions/',
      'https://docs.djangoproject.com/en/stable/topics/http/views/#customizing-error-views',
    ],
  },
});
