import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isCallOf } from '../../_shared/flaskApp';

/** Flask functions whose result already is a response (ported by their own rules). */
const RESPONSES = ['flask.jsonify', 'flask.render_template', 'flask.redirect', 'flask.send_file', 'flask.send_from_directory', 'flask.make_response'];

interface Parts {
  body?: Node;
  status?: Node;
  headers?: Node;
  /** the second argument could be a status or headers */
  ambiguous?: Node;
}

function parts(m: RuleMatch): Parts | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || keywords.size || positional.length > 3) return undefined;
  let [body, second, third] = positional;
  if (body?.type === 'tuple' && positional.length === 1) [body, second, third] = body.namedChildren.filter((c): c is Node => !!c);
  const out: Parts = { body };
  if (third) {
    out.status = second;
    out.headers = third;
  } else if (second) {
    if (['dictionary', 'list', 'dictionary_comprehension'].includes(second.type)) out.headers = second;
    else if (second.type === 'integer' || /status|code/i.test(second.text)) out.status = second;
    else out.ambiguous = second;
  }
  return out;
}

type Kind = 'empty' | 'text' | 'json' | 'dict' | 'response' | 'unknown';
function kindOf(m: RuleMatch, body: Node | undefined): Kind {
  if (body && (body.type === 'dictionary' || body.type === 'dictionary_comprehension')) return 'dict';
  if (!body) return 'empty';
  if (body.type === 'string' || body.type === 'concatenated_string') return 'text';
  if (['dictionary', 'list', 'dictionary_comprehension', 'list_comprehension'].includes(body.type)) return 'json';
  if (isCallOf(m, body, RESPONSES)) return 'response';
  if (body.type === 'identifier') {
    // a local assigned once from a literal: `payload = {...}`
    const b = m.ctx.bindings;
    const bind = b.lookupNode(body);
    const all = bind?.scope.bindings.get(body.text) ?? [];
    if (bind?.kind === 'assign' && bind.value && all.length === 1 && bind.value.type !== 'identifier') return kindOf(m, bind.value);
  }
  return 'unknown';
}

function headersArg(fx: FixBuilder, h: Node): string {
  return h.type === 'list' ? `dict(${fx.text(h)})` : fx.text(h);
}

function port(m: RuleMatch, fx: FixBuilder, target: 'django' | 'fastapi'): boolean | void {
  const p = parts(m);
  if (!p) return false;
  const call = m.captures.finding;
  const kind = kindOf(m, p.body);
  if (p.ambiguous) fx.todo(call, `\`${p.ambiguous.text}\` was taken as the status code: if it holds headers, pass it as headers=`);
  if (kind === 'response') {
    // make_response(jsonify(...)) is just the response; a status or headers go into the tuple the inner rule ports
    if (!p.status && !p.headers && !p.ambiguous) {
      fx.replace(call, fx.text(p.body));
      return;
    }
    if (call.parent?.type === 'return_statement') {
      const rest = [p.status ?? p.ambiguous, p.headers].filter((x): x is Node => !!x).map((x) => fx.text(x));
      fx.replace(call, [fx.text(p.body), ...rest].join(', '));
      return;
    }
    return false;
  }
  const statusKw = target === 'django' ? 'status' : 'status_code';
  const args: string[] = [];
  let cls: string;
  if (kind === 'json' || kind === 'dict') {
    cls = target === 'django' ? fx.importFrom('django.http', 'JsonResponse') : fx.importFrom('fastapi.responses', 'JSONResponse');
    args.push(fx.text(p.body));
    if (target === 'django' && kind === 'json') args.push('safe=False');
  } else {
    cls = target === 'django' ? fx.importFrom('django.http', 'HttpResponse') : fx.importFrom('fastapi.responses', 'HTMLResponse');
    if (p.body) args.push(target === 'django' ? fx.text(p.body) : `content=${fx.text(p.body)}`);
    if (kind === 'unknown') fx.todo(call, `check the type of \`${p.body!.text}\`: Flask sent a dict or list as JSON and unpacked a (body, status) tuple; this sends it as the body`);
  }
  const status = p.status ?? p.ambiguous;
  if (status) args.push(`${statusKw}=${fx.text(status)}`);
  if (p.headers) args.push(`headers=${headersArg(fx, p.headers)}`);
  fx.replace(call, `${cls}(${args.join(', ')})`);
}

export default defineRule({
  id: 'flask-make-response',
  from: 'flask',
  category: 'response',
  title: 'make_response()',
  message: '`make_response()` builds a response object: port it to Django\'s `HttpResponse` or a Starlette response (or drop it around a response).',
  effortMinutes: 3,
  needles: ['make_response'],
  requires: { fn: ['flask.make_response'] },
  fixes: {
    django: { title: 'Replace make_response() with a Django response', safe: true, apply: (m, fx) => port(m, fx, 'django') },
    fastapi: { title: 'Replace make_response() with a Starlette response', safe: true, apply: (m, fx) => port(m, fx, 'fastapi') },
  },
  docs: {
    summary:
      'Flask `make_response(body, status, headers)` turns a view\'s return value into a response object to modify. Django builds `HttpResponse(body, status=..., headers=...)`; FastAPI `HTMLResponse(content=body, status_code=..., headers=...)`. Around a response (`make_response(jsonify(...))`) it is simply dropped.',
    notes: [
      'Afterwards `resp.headers["X"] = "v"` works on Django (3.2+) and Starlette responses alike, and so does `resp.set_cookie(key, value, max_age=...)`; Starlette\'s `set_cookie` defaults to `samesite="lax"`, Flask\'s and Django\'s to no SameSite attribute.',
      'A text body keeps Flask\'s `text/html` content type: Django\'s `HttpResponse` defaults to it, FastAPI gets `HTMLResponse` (a bare `Response` would send no content type).',
      'Flask turns a dict or list body into JSON: the fix uses `JsonResponse`/`JSONResponse` for literal dicts and lists and leaves a TODO when it cannot tell what a variable holds.',
      'Headers given as a list of pairs are wrapped in `dict(...)`: Starlette only takes a mapping.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/ref/request-response/#httpresponse-objects',
      'https://www.starlette.io/responses/',
      'https://fastapi.tiangolo.com/advanced/response-directly/',
    ],
  },
});
