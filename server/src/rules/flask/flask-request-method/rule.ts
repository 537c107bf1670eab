import { defineRule, type RuleMatch } from '../../../analysis/rule';
import type { FixBuilder } from '../../../analysis/fixBuilder';
import { isAsync, isFlaskRequest, paren, requestParam } from '../../_shared/flaskRequest';

type Spelling = (r: string) => string;

/** Flask attribute → Django spelling on `request` (`r`), and whether the meaning changes. */
const DJANGO: Record<string, { code: Spelling; unsafe?: boolean }> = {
  method: { code: (r) => `${r}.method` },
  path: { code: (r) => `${r}.path` },
  url: { code: (r) => `${r}.build_absolute_uri()` },
  base_url: { code: (r) => `${r}.build_absolute_uri(${r}.path)` },
  host: { code: (r) => `${r}.get_host()`, unsafe: true },
  scheme: { code: (r) => `${r}.scheme` },
  is_secure: { code: (r) => `${r}.is_secure()` },
  remote_addr: { code: (r) => `${r}.META.get("REMOTE_ADDR")` },
  is_json: { code: (r) => `${r}.content_type == "application/json"`, unsafe: true },
  data: { code: (r) => `${r}.body` },
  content_type: { code: (r) => `${r}.headers.get("Content-Type")` },
  referrer: { code: (r) => `${r}.headers.get("Referer")` },
};

const FASTAPI: Record<string, { code: Spelling; unsafe?: boolean }> = {
  method: { code: (r) => `${r}.method` },
  path: { code: (r) => `${r}.url.path` },
  url: { code: (r) => `str(${r}.url)` },
  base_url: { code: (r) => `str(${r}.url.replace(query=""))` },
  host: { code: (r) => `${r}.url.netloc` },
  scheme: { code: (r) => `${r}.url.scheme` },
  is_secure: { code: (r) => `${r}.url.scheme == "https"` },
  remote_addr: { code: (r) => `${r}.client.host if ${r}.client else None` },
  is_json: { code: (r) => `${r}.headers.get("content-type", "").split(";")[0].strip() == "application/json"`, unsafe: true },
  data: { code: (r) => `await ${r}.body()` },
  content_type: { code: (r) => `${r}.headers.get("content-type")` },
  referrer: { code: (r) => `${r}.headers.get("referer")` },
};

function rewrite(table: typeof DJANGO, add: (m: RuleMatch, fx: FixBuilder) => string | undefined) {
  return (m: RuleMatch, fx: FixBuilder) => {
    const attr = m.captures.attr.text;
    const spec = table[attr];
    if (!spec) return false;
    const node = m.captures.finding;
    if (m.ctx.target === 'fastapi' && attr === 'data' && !isAsync(fx.enclosingFunction(node))) {
      fx.todo(node, 'the raw body is `await request.body()` in FastAPI: make this endpoint `async def` and take `request: Request`');
      return;
    }
    // Flask's request imported inside a function that also takes a `request` parameter: a rewrite would keep
    // resolving to the import (and be flagged again); the import is for a person to remove
    const req = m.captures.req;
    const b = req && m.ctx.bindings.lookupNode(req);
    const fnOf = fx.enclosingFunction(node);
    if (b?.kind === 'from-import' && b.scope.kind === 'function' && fnOf && fx.paramNames(fnOf).includes(req.text)) {
      fx.todo(node, `\`${req.text}\` here is Flask's (imported in this function) while the function also takes a \`${req.text}\` parameter: remove the import, then port this`);
      return;
    }
    const r = add(m, fx);
    if (!r) return false;
    const code = paren(node, spec.code(r));
    if (code !== fx.text(node)) fx.replace(node, code);
    if (spec.unsafe) fx.unsafe();
  };
}

export default defineRule({
  id: 'flask-request-method',
  from: 'flask',
  category: 'request',
  title: 'request.method and other request attributes',
  message: (m) => `\`request.${m.captures.attr.text}\` is an attribute of Flask's request: port it to the target's request object.`,
  effortMinutes: 1,
  needles: ['request'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, m.captures.attr.text) },
  fixes: {
    django: {
      title: 'Use the view\'s request',
      safe: true,
      apply: rewrite(DJANGO, (m, fx) => requestParam(m, fx, m.captures.finding)),
    },
    fastapi: {
      title: 'Use request: Request',
      safe: true,
      apply: rewrite(FASTAPI, (m, fx) => requestParam(m, fx, m.captures.finding)),
    },
  },
  docs: {
    summary:
      'Flask\'s request has plain attributes (`method`, `path`, `url`, `remote_addr`, `is_json`, `data`, …). Django\'s HttpRequest and Starlette\'s Request have the same facts under other names; both need the request as a parameter of the view or endpoint (`request` first in Django, `request: Request` in FastAPI).',
    notes: [
      '`request.url` is a string in Flask, a URL object in Starlette (`str(request.url)`); Django builds it with `request.build_absolute_uri()`.',
      '`request.remote_addr`: Django reads `request.META["REMOTE_ADDR"]`; Starlette\'s `request.client` can be None (some servers and test clients).',
      '`request.host`: Django\'s `get_host()` validates the host against ALLOWED_HOSTS and raises DisallowedHost.',
      '`request.is_json` also accepts `application/*+json` in Flask; the ported checks only accept application/json.',
      '`request.data` is `request.body` in Django and `await request.body()` in FastAPI, only inside an `async def` endpoint.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#httprequest-objects',
      'https://www.starlette.io/requests/',
      'https://fastapi.tiangolo.com/advanced/using-request-directly/',
    ],
  },
});
