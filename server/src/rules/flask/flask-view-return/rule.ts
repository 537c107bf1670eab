import { defineRule, type RuleMatch } from '../../../analysis/rule';
import type { FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isFlaskView } from '../../_shared/flask';

/** Calls that other rules port together with their tuple (`return jsonify(x), 201`). */
const OWNED_BY_OTHER_RULES = new Set(['flask.jsonify', 'flask.render_template', 'flask.make_response', 'flask.redirect', 'flask.send_file', 'flask.send_from_directory']);

type Kind = 'text' | 'json' | 'empty' | 'unknown';

interface Shape {
  body: Node;
  kind: Kind;
  status?: Node;
  headers?: Node;
}

function kindOf(n: Node): Kind {
  if (n.type === 'string' && /^[rRuU]?("|'){1,3}\1{0,2}$|^[rRuU]?(""|'')$/.test(n.text)) return 'empty';
  if (n.type === 'string' || n.type === 'concatenated_string') return /^[bB]|^[rR][bB]/.test(n.text) ? 'unknown' : 'text';
  if (n.type === 'dictionary' || n.type === 'list' || n.type === 'dictionary_comprehension' || n.type === 'list_comprehension') return 'json';
  return 'unknown';
}

const isStatus = (n: Node) => n.type === 'integer' || (n.type === 'attribute' && /(^|\.)HTTPStatus\.[A-Z_]+$/.test(n.text));
const isHeaders = (n: Node) => n.type === 'dictionary' || n.type === 'list';

/** What a Flask view returns that the target cannot return as is: text, or a (body, status[, headers]) tuple. */
function shape(m: RuleMatch): Shape | undefined {
  const ret = m.captures.finding;
  const value = ret.namedChildren[0];
  if (!value) return undefined;
  if (value.type === 'expression_list') {
    const items = value.namedChildren.filter((c): c is Node => !!c);
    if (items.length < 2 || items.length > 3) return undefined;
    const [body, second, third] = items;
    if (body.type === 'call' && OWNED_BY_OTHER_RULES.has(m.resolve(body.childForFieldName('function')) ?? '')) return undefined;
    const bodyKind = body.type === 'identifier' && textParams(m).has(body.text) ? 'text' : kindOf(body);
    if (items.length === 2 && isHeaders(second)) return { body, kind: bodyKind, headers: second };
    if (!isStatus(second) || (third && !isHeaders(third))) return undefined;
    return { body, kind: bodyKind, status: second, headers: third };
  }
  let kind = kindOf(value);
  if (kind === 'unknown' && value.type === 'identifier' && textParams(m).has(value.text)) kind = 'text';
  if (kind === 'unknown') return undefined;
  // FastAPI serializes dicts and lists itself; a bare string would become a JSON string instead of HTML
  if (kind === 'json' && m.ctx.target === 'fastapi') return undefined;
  return { body: value, kind };
}

/** Parameters of the view that its route fills from a string or path segment (`<slug>`, `<path:p>`): text. */
function textParams(m: RuleMatch): Set<string> {
  const out = new Set<string>();
  let fn: Node | null = m.captures.finding.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const dd = fn?.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  // a parameter rebound in the body may no longer hold the segment
  const body = fn?.childForFieldName('body')?.text ?? '';
  for (const d of dd?.namedChildren ?? []) {
    const first = d?.type === 'decorator' && d.namedChildren[0]?.type === 'call' ? d.namedChildren[0].childForFieldName('arguments')?.namedChildren[0] : undefined;
    if (first?.type !== 'string') continue;
    for (const seg of first.text.matchAll(/<(?:(string|path):)?([A-Za-z_][A-Za-z0-9_]*)>|\{([A-Za-z_][A-Za-z0-9_]*)(?::(?:str|path))?\}/g)) {
      const name = seg[2] ?? seg[3];
      if (name && !new RegExp(`\\b${name}\\s*(=[^=]|\\+=)`).test(body)) out.add(name);
    }
  }
  return out;
}

function inView(m: RuleMatch): boolean {
  for (let p = m.captures.finding.parent; p; p = p.parent) if (p.type === 'function_definition') return isFlaskView(m, p);
  return false;
}

function args(fx: FixBuilder, s: Shape, statusKw: string, withBody: boolean): string {
  const out: string[] = [];
  if (withBody) out.push(fx.text(s.body));
  if (s.status) out.push(`${statusKw}=${fx.text(s.status)}`);
  if (s.headers) out.push(`headers=${s.headers.type === 'list' ? `dict(${fx.text(s.headers)})` : fx.text(s.headers)}`);
  return out.join(', ');
}

export default defineRule({
  id: 'flask-view-return',
  from: 'flask',
  category: 'response',
  title: 'view return value (text or tuple)',
  message: (m) =>
    m.captures.finding.namedChildren[0]?.type === 'expression_list'
      ? 'A Flask view returning a `(body, status[, headers])` tuple: build the target framework\'s response object with that status.'
      : 'A Flask view returning text (sent as text/html): return the target framework\'s response object instead.',
  effortMinutes: 2,
  needles: ['return'],
  requires: {},
  when: (m) => inView(m) && !!shape(m),
  fixes: {
    django: {
      title: 'Return an HttpResponse / JsonResponse',
      safe: true,
      apply(m, fx) {
        const s = shape(m)!;
        const value = m.captures.finding.namedChildren[0]!;
        if (s.kind === 'json') {
          const JsonResponse = fx.importFrom('django.http', 'JsonResponse');
          const safe = s.body.type.startsWith('dictionary') ? '' : ', safe=False';
          fx.replace(value, `${JsonResponse}(${args(fx, s, 'status', true)}${safe})`);
          return;
        }
        const HttpResponse = fx.importFrom('django.http', 'HttpResponse');
        if (s.kind === 'unknown') fx.todo(m.captures.finding, 'Flask turned a dict or list body into JSON: use JsonResponse if this body is one');
        fx.replace(value, `${HttpResponse}(${args(fx, s, 'status', s.kind !== 'empty')})`);
      },
    },
    fastapi: {
      title: 'Return a Response with the status code',
      safe: true,
      apply(m, fx) {
        const s = shape(m)!;
        const value = m.captures.finding.namedChildren[0]!;
        if (s.kind === 'json') {
          const JSONResponse = fx.importFrom('fastapi.responses', 'JSONResponse');
          const enc = fx.importFrom('fastapi.encoders', 'jsonable_encoder');
          const rest = args(fx, s, 'status_code', false);
          fx.replace(value, `${JSONResponse}(${enc}(${fx.text(s.body)})${rest ? `, ${rest}` : ''})`);
          return;
        }
        if (s.kind === 'empty') {
          fx.replace(value, `${fx.importFrom('fastapi', 'Response')}(${args(fx, s, 'status_code', false)})`);
          return;
        }
        if (s.kind === 'unknown') fx.todo(m.captures.finding, 'Flask turned a dict or list body into JSON: use JSONResponse if this body is one');
        const HTMLResponse = fx.importFrom('fastapi.responses', 'HTMLResponse');
        fx.replace(value, `${HTMLResponse}(${args(fx, s, 'status_code', true)})`);
      },
    },
  },
  docs: {
    summary: 'A Flask view may return a string (sent as text/html), a dict or list (sent as JSON), or a `(body, status, headers)` tuple. Django views must return an HttpResponse; FastAPI would send a returned string or tuple as JSON, so the status and content type are set on a response object.',
    notes: [
      '`return "", 204` becomes an empty response with status 204 (`HttpResponse(status=204)`, `Response(status_code=204)`).',
      'Text bodies keep their text/html content type (`HttpResponse`, `HTMLResponse`).',
      'A tuple whose body is a variable cannot be typed statically: the fix keeps a text response and a TODO says to use the JSON response if the body is a dict or list.',
    ],
    links: ['https://flask.palletsprojects.com/en/stable/quickstart/#about-responses', 'https://docs.djangoproject.com/en/stable/ref/request-response/#httpresponse-objects', 'https://fastapi.tiangolo.com/advanced/custom-response/'],
  },
});
