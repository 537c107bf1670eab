import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isAppOrBlueprint } from '../../_shared/flask';

interface Converter {
  name: string;
  conv: string;
}

/** `<int:post_id>` segments of a Flask rule. */
function converters(path: string): Converter[] {
  return [...path.matchAll(/<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>/g)].map((x) => ({ conv: x[1] ?? 'default', name: x[2] }));
}

const FASTAPI_TYPES: Record<string, string | undefined> = { default: 'str', string: 'str', int: 'int', float: 'float', path: 'str', uuid: 'UUID' };
const STARLETTE_CONVERTORS = new Set(['int', 'float', 'path', 'uuid']);
const DJANGO_CONVERTERS: Record<string, string | undefined> = { default: 'str', string: 'str', int: 'int', path: 'path', uuid: 'uuid' };

function methodsOf(m: RuleMatch): { list?: string[]; raw?: Node } {
  const verb = m.captures.verb.text;
  if (verb !== 'route') return { list: [verb.toUpperCase()] };
  const raw = callArgs(m.captures.args).keywords.get('methods');
  if (!raw) return { list: ['GET'] };
  if (raw.type !== 'list' && raw.type !== 'tuple' && raw.type !== 'set') return { raw };
  const list: string[] = [];
  for (const el of raw.namedChildren) {
    const s = stringValue(el);
    if (s === undefined) return { raw };
    list.push(s.toUpperCase());
  }
  return { list };
}

/** Adds the type a path converter gives to the view's parameter (`post_id` → `post_id: int`). */
function typeParams(fx: FixBuilder, fn: Node, convs: Converter[]) {
  const params = fn.childForFieldName('parameters');
  for (const c of convs) {
    const type = FASTAPI_TYPES[c.conv] ?? 'str';
    const t = type === 'UUID' ? fx.importFrom('uuid', 'UUID') : type;
    for (const p of params?.namedChildren ?? []) {
      if (p?.type === 'identifier' && p.text === c.name) fx.replace(p, `${c.name}: ${t}`);
      if (p?.type === 'default_parameter' && p.childForFieldName('name')?.text === c.name) {
        const n = p.childForFieldName('name')!;
        fx.replace(n, `${c.name}: ${t}`);
      }
    }
  }
}

export default defineRule({
  id: 'flask-route',
  from: 'flask',
  category: 'routing',
  title: 'route decorator',
  message: (m) => `Flask route \`@${m.captures.app.text}.${m.captures.verb.text}(…)\`: port it to the target framework's routing.`,
  effortMinutes: 5,
  needles: ['route', '.get(', '.post(', '.put(', '.delete(', '.patch('],
  requires: { app: (q) => isAppOrBlueprint(q) },
  // `@app.get("/x")` without converters or Flask-only options is already valid FastAPI: only the app needs porting
  when: (m) => m.ctx.target !== 'fastapi' || m.captures.verb.text === 'route' || /<[^>]+>/.test(m.captures.args.text) || callArgs(m.captures.args).keywords.size > 0,
  fixes: {
    fastapi: {
      title: 'Convert to a FastAPI path operation',
      safe: true,
      apply(m, fx) {
        const args = callArgs(m.captures.args);
        const pathNode = args.positional[0] ?? args.keywords.get('rule');
        const path = stringValue(pathNode);
        if (!pathNode || path === undefined) return false;
        const convs = converters(path);
        // Starlette's convertors keep Flask's matching: `/post/seven` stays a 404 for <int:x>, not a 422
        const fastPath = path.replace(/<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>/g, (_s, conv: string | undefined, name: string) =>
          conv && STARLETTE_CONVERTORS.has(conv) ? `{${name}:${conv}}` : `{${name}}`,
        );
        const methods = methodsOf(m);
        const extra: string[] = [];
        const endpoint = args.keywords.get('endpoint');
        if (endpoint) extra.push(`name=${fx.text(endpoint)}`);
        for (const k of args.keywords.keys()) {
          if (!['methods', 'endpoint', 'rule', 'strict_slashes'].includes(k)) {
            fx.todo(m.node, `route option \`${k}\` has no FastAPI equivalent here; port it by hand`);
          }
        }
        if (convs.some((c) => c.conv !== 'default' && !FASTAPI_TYPES[c.conv])) fx.todo(m.node, 'a custom path converter became a plain str parameter: validate it in the endpoint');
        const app = fx.text(m.captures.app);
        const pathText = JSON.stringify(fastPath);
        let deco: string;
        if (methods.list && methods.list.length === 1 && ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'].includes(methods.list[0])) {
          deco = `${app}.${methods.list[0].toLowerCase()}(${[pathText, ...extra].join(', ')})`;
        } else {
          const ms = methods.list ? `[${methods.list.map((x) => JSON.stringify(x)).join(', ')}]` : fx.text(methods.raw);
          deco = `${app}.api_route(${[pathText, `methods=${ms}`, ...extra].join(', ')})`;
        }
        const decoCall = m.captures.finding.namedChildren[0]!;
        fx.replace(decoCall, deco);
        typeParams(fx, m.captures.func, convs);
      },
    },
    django: {
      title: 'Convert to a Django view (and note its urls.py entry)',
      safe: false,
      apply(m, fx) {
        const args = callArgs(m.captures.args);
        const pathNode = args.positional[0] ?? args.keywords.get('rule');
        const path = stringValue(pathNode);
        if (path === undefined) return false;
        const fn = m.captures.func;
        const fname = fn.childForFieldName('name')?.text ?? 'view';
        const endpoint = stringValue(args.keywords.get('endpoint')) ?? fname;
        const convs = converters(path);
        const djPath = path
          .replace(/^\//, '')
          .replace(/<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>/g, (_s, conv: string | undefined, name: string) => `<${DJANGO_CONVERTERS[conv ?? 'default'] ?? 'str'}:${name}>`);
        const methods = methodsOf(m);
        const deco = m.captures.finding;
        if (fn.text.startsWith('async') && methods.list) {
          // Django 4.2's method decorators do not await async views (5.0+ do): check the method in the body
          const allowed = methods.list.length === 1 && methods.list[0] === 'GET' ? ['GET', 'HEAD'] : methods.list;
          const notAllowed = fx.importFrom('django.http', 'HttpResponseNotAllowed');
          const body = fn.childForFieldName('body');
          const stmts = body?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
          const first = stmts[0]?.type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string' ? stmts[1] : stmts[0];
          if (!first) return false;
          const ind = fx.indentOf(first);
          const list = `[${allowed.map((x) => JSON.stringify(x)).join(', ')}]`;
          fx.insert(first.startIndex, `if request.method not in ${list}:\n${ind}    return ${notAllowed}(${list})\n${ind}`);
          const bad = convs.filter((c) => c.conv !== 'default' && !DJANGO_CONVERTERS[c.conv]);
          fx.todo(deco.parent!, bad.length ? `Django has no \`${bad[0].conv}\` path converter: route "${path}" with re_path() or register_converter(), then add it to urls.py` : `add to urls.py: path(${JSON.stringify(djPath)}, ${fname}, name=${JSON.stringify(endpoint)})`);
          fx.replaceRange(fx.lineStart(deco.startIndex), fx.lineEnd(deco.endIndex) + 1, '');
          if (!fx.paramNames(fn).includes('request')) fx.ensureParam(fn, 'request', 'request', { first: true });
          return;
        }
        let replacement: string;
        if (methods.list && methods.list.length === 1 && methods.list[0] === 'GET') {
          replacement = `@${fx.importFrom('django.views.decorators.http', 'require_safe')}`;
        } else {
          const ms = methods.list ? `[${methods.list.map((x) => JSON.stringify(x)).join(', ')}]` : fx.text(methods.raw);
          replacement = `@${fx.importFrom('django.views.decorators.http', 'require_http_methods')}(${ms})`;
        }
        const bad = convs.filter((c) => c.conv !== 'default' && !DJANGO_CONVERTERS[c.conv]);
        const urlHint = bad.length
          ? `Django has no \`${bad[0].conv}\` path converter: route "${path}" with re_path() or register_converter(), then add it to urls.py`
          : `add to urls.py: path(${JSON.stringify(djPath)}, ${fname}, name=${JSON.stringify(endpoint)})`;
        fx.todo(deco.parent!, urlHint);
        fx.replace(deco, replacement);
        if (!fx.paramNames(fn).includes('request')) fx.ensureParam(fn, 'request', 'request', { first: true });
      },
    },
  },
  docs: {
    summary: 'A Flask route decorator maps a URL rule to a view. FastAPI uses a path operation decorator (`@app.get(...)`) with typed path parameters; Django maps URLs in urls.py with `path()` and the view takes `request` first.',
    notes: [
      'Path converters change argument types: `<int:id>` gives an int in all three; Django has no `float` converter (use re_path or register_converter()).',
      'Trailing slashes: Flask redirects `/a` to `/a/` when the rule ends with a slash; Django does this with APPEND_SLASH; FastAPI answers 307 redirects.',
      'Flask answers HEAD and OPTIONS for GET routes; the Django fix uses `@require_safe` (GET and HEAD) to keep that.',
      'CSRF: Django enforces it on POST views; Flask did not (unless Flask-WTF was used).',
    ],
    links: ['https://fastapi.tiangolo.com/tutorial/path-params/', 'https://docs.djangoproject.com/en/stable/topics/http/urls/', 'https://docs.djangoproject.com/en/stable/topics/http/decorators/'],
  },
});
