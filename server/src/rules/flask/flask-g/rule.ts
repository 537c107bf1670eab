import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import { isReference } from '../../../analysis/bindings';
import { paren, requestParam } from '../../_shared/flaskRequest';

/** HttpRequest attributes Django or its middleware set: storing g's values under these names would clash. */
const DJANGO_TAKEN = new Set([
  'user', 'auser', 'session', 'method', 'path', 'path_info', 'body', 'headers', 'META', 'GET', 'POST', 'COOKIES', 'FILES',
  'content_type', 'content_params', 'encoding', 'scheme', 'resolver_match', 'site', 'urlconf', 'upload_handlers', 'csrf_processing_done',
]);

function port(target: 'django' | 'fastapi') {
  return (m: RuleMatch, fx: FixBuilder) => {
    const g = m.captures.finding;
    const req = requestParam(m, fx, g);
    if (!req) return false;
    const obj = target === 'django' ? req : `${req}.state`;
    const p = g.parent;
    // "x" in g / "x" not in g
    if (p?.type === 'comparison_operator' && p.namedChildren.length === 2 && p.namedChildren[1]?.id === g.id) {
      const op = p.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' ');
      const key = p.namedChildren[0]!;
      if (op === 'in' || op === 'not in') {
        const code = `${op === 'in' ? '' : 'not '}hasattr(${obj}, ${fx.text(key)})`;
        fx.replace(p, paren(p, code));
        return;
      }
    }
    if (p?.type === 'attribute' && p.childForFieldName('object')?.id === g.id) {
      const attr = p.childForFieldName('attribute')?.text ?? '';
      const call = p.parent?.type === 'call' && p.parent.childForFieldName('function')?.id === p.id ? p.parent : undefined;
      if (call && ['get', 'pop', 'setdefault'].includes(attr)) {
        const a = callArgs(call);
        const key = a.positional[0];
        if (!key || a.keywords.size || a.splats.length || a.positional.length > 2) return false;
        const dflt = a.positional[1] ? fx.text(a.positional[1]) : 'None';
        if (attr === 'get') {
          fx.replace(call, `getattr(${obj}, ${fx.text(key)}, ${dflt})`);
          return;
        }
        const store = target === 'django' ? `vars(${obj})` : `${obj}._state`;
        fx.replace(call, `${store}.${attr}(${fx.text(key)}${a.positional[1] || attr === 'pop' ? `, ${dflt}` : ''})`);
        if (target === 'fastapi') fx.todo(g, `Starlette's State has no ${attr}(): this reaches its private _state dict`);
        else if (attr === 'pop' && !a.positional[1]) fx.unsafe();
        return;
      }
      fx.replace(g, obj);
      if (target === 'django' && DJANGO_TAKEN.has(attr)) {
        fx.todo(g, `request.${attr} is Django's own (${attr === 'user' ? 'the authenticated user set by AuthenticationMiddleware' : 'an HttpRequest attribute'}): rename this attribute or use Django's`);
      }
      return;
    }
    fx.replace(g, obj);
    fx.todo(g, `g is used as an object here: ${obj} only shares its attributes`);
  };
}

export default defineRule({
  id: 'flask-g',
  from: 'flask',
  category: 'request',
  title: 'g (per-request globals)',
  message: 'Flask\'s `g` holds values for the current request: store them on the request (`request.x` in Django, `request.state.x` in FastAPI).',
  effortMinutes: 3,
  needles: ['g'],
  refersTo: ['flask.g'],
  requires: { finding: (q, n) => q === 'flask.g' && (n.type !== 'identifier' || isReference(n)) },
  fixes: {
    django: { title: 'Store it on the request', safe: true, apply: port('django') },
    fastapi: { title: 'Store it on request.state', safe: true, apply: port('fastapi') },
  },
  docs: {
    summary:
      'Flask\'s `g` is a namespace that lives for one request (set in before_request handlers, read in views). Django code stores such values as attributes of the `request`; Starlette has `request.state` for them.',
    notes: [
      '`g.user` must not become Django\'s `request.user`, which AuthenticationMiddleware sets to the logged-in user: the fix leaves a TODO for names Django uses.',
      '`g.get("x")` becomes `getattr(request, "x", None)`; `"x" in g` becomes `hasattr(...)`.',
      'Values set in `@app.before_request` handlers: the handler becomes a middleware (Django) or `@app.middleware("http")` (FastAPI), which also receives the request; the fix adds a `request` parameter and a TODO there.',
      'Resources kept on g and closed in teardown_appcontext (`g.db`) are better written as a FastAPI dependency with `yield`.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.g',
      'https://docs.djangoproject.com/en/stable/topics/http/middleware/',
      'https://www.starlette.io/requests/#other-state',
      'https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/',
    ],
  },
});
