// Helpers shared by the Flask app-level rules (app, blueprints, responses, url_for, hooks, errors, config).
import type { Node } from '../../parsing/python';
import { callArgs, pyString, stringValue, type FixBuilder } from '../../analysis/fixBuilder';
import type { RuleMatch } from '../../analysis/rule';
import { djangoRequest, fastapiRequest, isAppOrBlueprint } from './flask';

/** `return x, 201[, headers]` → the tuple around `call`, its status and headers. */
export function returnTuple(call: Node): { tuple: Node; status?: Node; headers?: Node; extra: boolean } | undefined {
  const t = call.parent;
  if (t?.type !== 'expression_list' || t.parent?.type !== 'return_statement') return undefined;
  const items = t.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (items[0]?.id !== call.id) return undefined;
  return { tuple: t, status: items[1], headers: items[2], extra: items.length > 3 };
}

/** Whether `n` is a call of one of these framework functions. */
export function isCallOf(m: RuleMatch, n: Node | null | undefined, qnames: readonly string[]): boolean {
  if (!n || n.type !== 'call') return false;
  const q = m.resolve(n.childForFieldName('function'));
  return !!q && qnames.includes(q);
}

/** Return statements that belong to `fn` itself (not to nested functions or lambdas). */
export function ownReturns(fn: Node): Node[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  return body.descendantsOfType('return_statement').filter((r): r is Node => {
    if (!r) return false;
    for (let p = r.parent; p; p = p.parent) if (p.type === 'function_definition') return p.id === fn.id;
    return false;
  });
}

/** Removes one decorator's line (the decorator must be alone on its line). */
export function deleteDecorator(fx: FixBuilder, deco: Node) {
  const start = fx.lineStart(deco.startIndex);
  const end = fx.lineEnd(deco.endIndex);
  fx.replaceRange(start, Math.min(end + 1, fx.source.length), '');
}

/** Adds `extra` indentation to every non-blank line of [start, end). */
export function indentLines(fx: FixBuilder, start: number, end: number, extra: string) {
  let pos = fx.lineStart(start);
  while (pos < end) {
    const eol = fx.lineEnd(pos);
    if (fx.source.slice(pos, eol).trim() !== '') fx.insert(pos, extra);
    if (eol >= fx.source.length) break;
    pos = eol + 1;
  }
}

/** The decorated object (`app`, `bp`) of `@app.x`/`@app.x(...)` when it is a Flask app or blueprint. */
export function decoratorTarget(m: RuleMatch, deco: Node): { obj: Node; attr: string; call?: Node } | undefined {
  const e = deco.namedChildren[0];
  const callee = e?.type === 'call' ? e.childForFieldName('function') : e;
  if (callee?.type !== 'attribute') return undefined;
  const obj = callee.childForFieldName('object');
  const attr = callee.childForFieldName('attribute')?.text;
  if (!obj || !attr || !isAppOrBlueprint(m.resolve(obj))) return undefined;
  return { obj, attr, call: e?.type === 'call' ? e : undefined };
}

/** A name not bound in the function holding `at` (nor used in its text): `base`, `base_2`, … */
export function freshName(fx: FixBuilder, at: Node, base: string): string {
  const fn = fx.enclosingFunction(at);
  const scopeText = fn ? fx.text(fn) : fx.source;
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}_${i}`;
    if (!new RegExp(`\\b${name}\\b`).test(scopeText)) return name;
  }
}

// ---------- url_for ----------

export interface UrlFor {
  /** endpoint as written (a string value when literal) */
  endpoint?: string;
  endpointNode?: Node;
  /** url variables: name → expression text */
  values: [string, string][];
  /** `**kwargs` splats */
  splats: string[];
  external?: Node;
  anchor?: Node;
  /** `_scheme`, `_method` and other options there is no port for */
  unsupported: string[];
}

export function parseUrlFor(fx: FixBuilder, call: Node): UrlFor | undefined {
  const { positional, keywordNodes, splats } = callArgs(call);
  const endpointNode = positional[0] ?? keywordNodes.get('endpoint')?.childForFieldName('value') ?? undefined;
  if (!endpointNode || positional.length > 1) return undefined;
  const out: UrlFor = { endpoint: stringValue(endpointNode), endpointNode, values: [], splats: splats.map((s) => fx.text(s.namedChildren[0])), unsupported: [] };
  if (splats.some((s) => s.type === 'list_splat')) return undefined;
  for (const [k, kw] of keywordNodes) {
    const v = kw.childForFieldName('value')!;
    if (k === 'endpoint') continue;
    if (k === '_external') out.external = v;
    else if (k === '_anchor') out.anchor = v;
    else if (k.startsWith('_')) out.unsupported.push(k);
    else out.values.push([k, fx.text(v)]);
  }
  return out;
}

/** The endpoint's name in the target: Django namespaces blueprints (`blog.show` → `blog:show`); FastAPI names routes by function. */
export function targetEndpoint(u: UrlFor, fx: FixBuilder, target: 'django' | 'fastapi'): { code: string; relative: boolean } {
  if (u.endpoint === undefined) return { code: fx.text(u.endpointNode), relative: false };
  const relative = u.endpoint.startsWith('.');
  const ep = relative ? u.endpoint.slice(1) : u.endpoint;
  if (target === 'django') return { code: pyString(ep.replace(/\./g, ':')), relative };
  const parts = ep.split('.');
  return { code: pyString(parts[parts.length - 1]), relative };
}

/**
 * A url_for() call as the target's expression. `asPath` (FastAPI): a path string like Flask's (url_for gives a
 * path unless _external); otherwise the URL object (fine for RedirectResponse). Returns undefined when no port.
 */
export function portUrlFor(m: RuleMatch, fx: FixBuilder, call: Node, target: 'django' | 'fastapi', opts: { asPath: boolean; forRedirect?: boolean }): string | undefined {
  const u = parseUrlFor(fx, call);
  if (!u) return undefined;
  const ep = targetEndpoint(u, fx, target);
  const notes: string[] = [];
  if (ep.relative) notes.push(`\`url_for("${u.endpoint}")\` was relative to the current blueprint: check the endpoint name`);
  if (u.unsupported.length) notes.push(`url_for option ${u.unsupported.map((k) => `\`${k}\``).join(', ')} was dropped: build that URL by hand`);
  if (target === 'fastapi' && !ep.relative && u.endpoint?.includes('.')) {
    // FastAPI route names are flat: only a person knows whether two routers reuse a function name
  }
  const isStatic = u.endpoint === 'static';
  let code: string;
  if (target === 'django') {
    if (isStatic) {
      const fname = u.values.find(([k]) => k === 'filename');
      if (!fname || u.values.length > 1 || u.splats.length) return undefined;
      code = `${fx.importFrom('django.templatetags.static', 'static')}(${fname[1]})`;
    } else {
      const kwargs = u.values.map(([k, v]) => `${pyString(k)}: ${v}`).concat(u.splats.map((s) => `**${s}`));
      const onlySplat = u.values.length === 0 && u.splats.length === 1;
      const kw = onlySplat ? `, kwargs=${u.splats[0]}` : kwargs.length ? `, kwargs={${kwargs.join(', ')}}` : '';
      code = `${fx.importFrom('django.urls', 'reverse')}(${ep.code}${kw})`;
    }
    if (u.external && !opts.forRedirect && fx.text(u.external) !== 'False') {
      const req = djangoRequest(m, fx, call);
      if (!req) return undefined;
      code = `${req}.build_absolute_uri(${code})`;
    }
  } else {
    const req = fastapiRequest(m, fx, call);
    if (!req) return undefined;
    const values = isStatic ? u.values.map(([k, v]) => [k === 'filename' ? 'path' : k, v] as [string, string]) : u.values;
    const args = [ep.code, ...values.map(([k, v]) => `${k}=${v}`), ...u.splats.map((s) => `**${s}`)];
    code = `${req}.url_for(${args.join(', ')})`;
    const external = u.external && fx.text(u.external) !== 'False';
    if (opts.asPath) code = external ? `str(${code})` : `${code}.path`;
  }
  if (u.anchor) {
    const a = stringValue(u.anchor);
    if (target === 'fastapi' && !opts.asPath) code = `str(${code})`;
    code = a !== undefined ? `${code} + ${pyString('#' + a)}` : `${code} + "#" + ${fx.text(u.anchor)}`;
  }
  for (const n of notes) fx.todo(call, n);
  return code;
}

// ---------- request hooks as middleware ----------

/** Whether the hook belongs to a blueprint (only its requests, or the whole app for `*_app_*` hooks). */
export function hookOwner(m: RuleMatch): 'app' | 'blueprint' | 'blueprint-app' {
  const q = m.resolve(m.captures.app);
  if (q !== 'flask.Blueprint()') return 'app';
  return /_app_/.test(m.captures.hook.text) ? 'blueprint-app' : 'blueprint';
}

/**
 * Django: wraps a hook function into a function middleware factory,
 *   def name(get_response):
 *       def middleware(request):
 *           <before body>; response = get_response(request); <after body>
 *       return middleware
 */
export function djangoMiddleware(m: RuleMatch, fx: FixBuilder, kind: 'before' | 'after'): boolean {
  const fn = m.captures.func;
  const deco = m.captures.finding;
  const name = fn.childForFieldName('name')?.text;
  const params = fn.childForFieldName('parameters');
  const body = fn.childForFieldName('body');
  if (!name || !params || !body || body.startPosition.row === fn.startPosition.row) return false;
  const names = fx.paramNames(fn);
  if (kind === 'before' ? names.length !== 0 : names.length !== 1) return false;
  if (names.includes('request') || names.includes('get_response') || fx.text(fn).startsWith('async')) return false;
  const ind = fx.indentOf(fn);
  const inner = fx.bodyIndent(fn);
  const step = inner.slice(ind.length) || '    ';
  const owner = hookOwner(m);
  const where = fx.enclosingFunction(fn) ? ' (move it to module level first)' : '';
  const scope = owner === 'blueprint' ? `; it ran only for the blueprint's requests: check request.path inside` : '';
  fx.todo(deco, `add "${m.ctx.bindings.moduleName || 'module'}.${name}" to settings.MIDDLEWARE${where}${scope}`);
  deleteDecorator(fx, deco);
  fx.replace(params, '(get_response)');
  // the nested middleware function; TODOs inside the body first, so the re-indent lands after them
  for (const r of ownReturns(fn)) {
    const v = r.namedChildren[0];
    if (kind === 'before' && !v) fx.replace(r, 'return get_response(request)');
    else if (kind === 'before') {
      fx.insert(fx.lineStart(r.startIndex), `${fx.indentOf(r)}${step}# TODO(port): returning here skips the view: the value must be an HttpResponse [${fx.ruleId}]\n`);
      fx.unsafe();
    }
  }
  fx.insert(body.startIndex, `def middleware(request):\n${inner}${step}`);
  if (kind === 'after') fx.insert(body.startIndex, `${names[0]} = get_response(request)\n${inner}${step}`);
  indentLines(fx, fx.lineEnd(body.startIndex) + 1, body.endIndex, step);
  if (kind === 'before') {
    const last = body.namedChildren[body.namedChildren.length - 1];
    if (last?.type !== 'return_statement') fx.insert(body.endIndex, `\n${inner}${step}return get_response(request)`);
  }
  fx.insert(body.endIndex, `\n${inner}return middleware`);
  return true;
}

/** FastAPI: `@app.middleware("http") async def name(request: Request, call_next):` around the hook's body. */
export function fastapiMiddleware(m: RuleMatch, fx: FixBuilder, kind: 'before' | 'after'): boolean {
  const fn = m.captures.func;
  const deco = m.captures.finding;
  const params = fn.childForFieldName('parameters');
  const body = fn.childForFieldName('body');
  if (!params || !body || body.startPosition.row === fn.startPosition.row) return false;
  const names = fx.paramNames(fn);
  if (kind === 'before' ? names.length !== 0 : names.length !== 1) return false;
  if (names.includes('request') || names.includes('call_next')) return false;
  const owner = hookOwner(m);
  if (owner !== 'app') {
    fx.todo(
      deco,
      owner === 'blueprint' && kind === 'after'
        ? 'APIRouter has no middleware: move this into an app-level @app.middleware("http") that checks request.url.path for the router\'s prefix'
        : owner === 'blueprint'
        ? 'APIRouter has no middleware: turn this into a dependency of the router (APIRouter(dependencies=[Depends(...)])) that raises HTTPException instead of returning a response'
        : 'APIRouter has no middleware: register this as @app.middleware("http") on the FastAPI app',
    );
    return true;
  }
  const Request = fx.importFrom('fastapi', 'Request');
  const inner = fx.bodyIndent(fn);
  fx.replace(deco, `@${fx.text(m.captures.app)}.middleware("http")`);
  if (!fx.text(fn).startsWith('async')) fx.insert(fn.startIndex, 'async ');
  fx.replace(params, `(request: ${Request}, call_next)`);
  for (const r of ownReturns(fn)) {
    const v = r.namedChildren[0];
    if (kind === 'before' && !v) fx.replace(r, 'return await call_next(request)');
    else if (kind === 'before') fx.todo(r, 'returning here skips the endpoint: the value must be a Response');
  }
  if (kind === 'after') fx.insert(body.startIndex, `${names[0]} = await call_next(request)\n${inner}`);
  else {
    const last = body.namedChildren[body.namedChildren.length - 1];
    if (last?.type !== 'return_statement') fx.insert(body.endIndex, `\n${inner}return await call_next(request)`);
  }
  return true;
}
