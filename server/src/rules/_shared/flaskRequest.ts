// Helpers shared by the rules that port Flask's `request` (args, form, files, json, headers, cookies, attributes),
// `session`, `flash` and `g`.
import type { Node } from '../../parsing/python';
import { isReference } from '../../analysis/bindings';
import { callArgs, isIdentifier, stringValue, toIdentifier, type FixBuilder } from '../../analysis/fixBuilder';
import type { RuleFix, RuleMatch } from '../../analysis/rule';
import { addFastapiParam, djangoRequest, fastapiParam, fastapiRequest, isFlaskView } from './flask';

export const FLASK_REQUEST = 'flask.request';

/** Attributes a Django HttpRequest has under the same name and meaning as Flask's request. */
const DJANGO_HAS = new Set(['method', 'path', 'headers', 'session', 'body', 'content_type', 'scheme', 'encoding', 'user', 'GET', 'POST', 'FILES', 'COOKIES', 'META']);
/** Attributes a Starlette Request has (json/form/body only as methods). */
const STARLETTE_HAS = new Set(['method', 'url', 'base_url', 'headers', 'cookies', 'session', 'state', 'client', 'query_params', 'path_params', 'app', 'scope', 'auth', 'user', 'url_for', 'body', 'json', 'form', 'stream']);
const STARLETTE_METHODS = new Set(['body', 'json', 'form', 'stream']);

function importsFlask(m: RuleMatch): boolean {
  for (const list of m.ctx.bindings.module.bindings.values())
    for (const b of list) if ((b.kind === 'import' || b.kind === 'from-import') && (b.module === 'flask' || b.module?.startsWith('flask.'))) return true;
  return false;
}

/**
 * Whether `obj` in `obj.attr` is Flask's request. After a partial port (a fix added a `request` parameter to the
 * view and another fix of the same view waits for a later pass), the Flask spelling can sit on that parameter: it
 * counts too when the target's request lacks `attr`, so nothing is left half-ported.
 */
export function isFlaskRequest(m: RuleMatch, obj: Node | undefined, attr: string): boolean {
  if (!obj) return false;
  const q = m.resolve(obj);
  if (q === FLASK_REQUEST) return true;
  if (obj.type !== 'identifier' || obj.text !== 'request') return false;
  const b = m.ctx.bindings.lookupNode(obj);
  // not only views: a fix may have given an error handler or a middleware its `request` parameter too
  if (!b || b.kind !== 'param' || !b.stmt || !importsFlask(m)) return false;
  if (m.ctx.target === 'django') return !b.type && !DJANGO_HAS.has(attr);
  if (m.ctx.target === 'fastapi') {
    const t = b.type?.type === 'type' ? b.type.namedChildren[0] : b.type;
    if (!['fastapi.Request', 'starlette.requests.Request'].includes(m.resolve(t) ?? '')) return false;
    const called = obj.parent?.parent?.type === 'call' && obj.parent.parent.childForFieldName('function')?.id === obj.parent.id;
    return !STARLETTE_HAS.has(attr) || (STARLETTE_METHODS.has(attr) && !called);
  }
  return false;
}

/** A Flask view, or one whose route decorator a fix already turned into FastAPI's (`@bp.api_route(...)`). */
export function looksLikeView(m: RuleMatch, fn: Node): boolean {
  if (isFlaskView(m, fn)) return true;
  const dd = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return !!dd?.namedChildren.some((d) => {
    const call = d?.type === 'decorator' ? d.namedChildren[0] : undefined;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    return callee?.type === 'attribute' && ['api_route', 'get', 'post', 'put', 'delete', 'patch'].includes(callee.childForFieldName('attribute')?.text ?? '');
  });
}

export function isAsync(fn: Node | undefined): boolean {
  return !!fn?.children.some((c) => c?.type === 'async');
}

/** `name = <expr>` as a whole statement: the name and the statement. */
export function simpleAssignment(expr: Node): { name: string; stmt: Node } | undefined {
  const a = expr.parent;
  if (a?.type !== 'assignment' || a.childForFieldName('right')?.id !== expr.id || a.childForFieldName('type')) return undefined;
  const left = a.childForFieldName('left');
  if (left?.type !== 'identifier' || a.parent?.type !== 'expression_statement') return undefined;
  return { name: left.text, stmt: a.parent };
}

/** A literal usable as a parameter default: strings, numbers, True/False/None, and tuples/lists of those. */
export function isLiteral(n: Node | undefined): boolean {
  if (!n) return false;
  switch (n.type) {
    case 'string':
      return stringValue(n) !== undefined;
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'unary_operator':
      return ['integer', 'float'].includes(n.namedChildren[0]?.type ?? '');
    case 'list':
    case 'tuple':
      return n.namedChildren.every((c) => !c || c.type === 'comment' || isLiteral(c));
    default:
      return false;
  }
}

const BUILTINS = new Set('id type next format filter map list dict set str int float bool input hash max min sum range len open file object all any iter vars dir help print sorted'.split(' '));

/** Whether `name` can become a parameter of `fn` read at `stmt`: nothing of that name is used or bound before it, nor refers elsewhere. */
export function nameIsFree(m: RuleMatch, fn: Node, name: string, stmt: Node, skip: Node): boolean {
  if (BUILTINS.has(name) || !isIdentifier(name)) return false;
  const fscope = m.ctx.bindings.functionScopeOf(fn);
  for (const id of fn.descendantsOfType('identifier')) {
    if (!id || id.text !== name) continue;
    if (id.startIndex >= skip.startIndex && id.endIndex <= skip.endIndex) continue;
    const p = id.parent;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) continue;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) continue;
    if (id.startIndex < stmt.startIndex) return false;
    const b = m.ctx.bindings.lookupNode(id);
    if (!b || (b.scope !== fscope && b.scope.node.id !== fn.id)) {
      // refers to a global, a builtin or an enclosing function's name
      if (!b || !isInside(b.scope.node, fn)) return false;
    }
  }
  return true;
}

export function paramName(p: Node): string | undefined {
  const id = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
  return id?.text;
}

function isInside(n: Node, outer: Node): boolean {
  return n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
}

/** The comment lines right above a statement. */
function commentsAbove(fx: FixBuilder, stmt: Node): string {
  const src = fx.source;
  let end = fx.lineStart(stmt.startIndex);
  const lines: string[] = [];
  while (end > 0) {
    const start = fx.lineStart(end - 1);
    const line = src.slice(start, end - 1);
    if (!/^\s*#/.test(line)) break;
    lines.push(line);
    end = start;
  }
  return lines.join('\n');
}

/** fx.todo, once: not again when the same TODO already sits above the statement. */
export function todoOnce(fx: FixBuilder, anchor: Node, message: string) {
  const stmt = fx.statementOf(anchor);
  if (commentsAbove(fx, stmt).includes(message)) fx.unsafe();
  else fx.todo(anchor, message);
}

/** A read that does not happen on every request: inside a branch or loop, or after an early return. */
export function isConditional(fn: Node, expr: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  let top: Node = expr;
  for (let p = expr.parent; p && p.id !== body.id; p = p.parent) {
    if (['if_statement', 'for_statement', 'while_statement', 'try_statement', 'match_statement', 'conditional_expression', 'boolean_operator', 'elif_clause', 'else_clause'].includes(p.type)) return true;
    top = p;
  }
  for (const s of body.namedChildren) {
    if (!s || s.startIndex >= top.startIndex) break;
    if (s.type === 'return_statement' || s.type === 'raise_statement') return true;
    if (s.descendantsOfType(['return_statement', 'raise_statement']).some((r) => r && !insideNestedDef(r, s))) return true;
  }
  return false;
}

function insideNestedDef(n: Node, within: Node): boolean {
  for (let p = n.parent; p && p.id !== within.id; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return true;
  return within.type === 'function_definition';
}

export type ParamKind = 'Query' | 'Form' | 'Header' | 'Cookie' | 'File' | 'Body';

export interface EndpointParam {
  key: string;
  kind: ParamKind;
  type: string;
  optional: boolean;
  default?: string;
  /** the name to use when neither the assignment target nor the key gives one */
  fallbackName?: string;
}

const REQUIRED_TODO =
  'FastAPI rejects a request that lacks a required parameter (422), but Flask read it only on some paths: split this endpoint per method, or make the parameter optional';

/**
 * A FastAPI endpoint parameter standing for a request value, replacing `expr` by its name. `q = request.args.get("q")`
 * becomes the parameter `q` and the statement goes; `next_url = request.args.get("next")` gives `next_url` with
 * alias "next".
 */
export function endpointParam(m: RuleMatch, fx: FixBuilder, expr: Node, p: EndpointParam): boolean {
  const fn = fx.enclosingFunction(expr);
  if (!fn) return false;
  const stmt = fx.statementOf(expr);
  const assign = simpleAssignment(expr);
  const fromKey = p.kind === 'Body' ? p.fallbackName ?? 'payload' : toIdentifier(p.key);
  const existing = fx.paramNames(fn);
  const candidates: string[] = [];
  if (assign && !existing.includes(assign.name)) candidates.push(assign.name);
  candidates.push(fromKey, `${fromKey}_${p.kind.toLowerCase()}`);
  for (let i = 2; i < 6; i++) candidates.push(`${fromKey}_${p.kind.toLowerCase()}${i}`);
  let name: string | undefined;
  const params = fn.childForFieldName('parameters');
  for (const c of candidates) {
    if (existing.includes(c)) {
      // reuse a parameter an earlier fix made for the same value
      const node = params?.namedChildren.find((x) => x && paramName(x) === c);
      const t = node?.text.replace(/\s+/g, '') ?? '';
      const alias = (p.kind === 'Header' ? p.key.toLowerCase().replace(/-/g, '_') !== c : p.key !== c) && p.kind !== 'Body' ? `alias=${JSON.stringify(p.key)}` : '';
      if (t.includes(`${p.kind}(${alias})`.replace(/\s+/g, '')) && t.includes(p.type.replace(/\s+/g, ''))) {
        name = c;
        break;
      }
      continue;
    }
    if (nameIsFree(m, fn, c, stmt, assign?.name === c ? assign.stmt : expr)) {
      name = c;
      break;
    }
  }
  if (!name) return false;
  const key = p.kind === 'Body' ? name : p.key;
  if (!existing.includes(name)) {
    if (looksLikeView(m, fn)) addParam(fx, fn, { name, key, kind: p.kind, type: p.type, optional: p.optional, default: p.default });
    else fastapiParam(m, fx, expr, { name, key, kind: p.kind, type: p.type, optional: p.optional, default: p.default });
  }
  if (assign && assign.name === name) fx.deleteStatement(assign.stmt);
  else fx.replace(expr, name);
  if (!p.optional) {
    fx.unsafe();
    if (isConditional(fn, expr) && looksLikeView(m, fn)) todoOnce(fx, fn, REQUIRED_TODO);
  }
  return true;
}

/** The parameter fastapiParam() writes, for an endpoint (no TODO). */
export function addParam(fx: FixBuilder, fn: Node, p: { name: string; key: string; kind: ParamKind; type: string; optional: boolean; default?: string }) {
  addFastapiParam(fx, fn, p);
}

/** `request: Request` for FastAPI, `request` first for Django; an endpoint already ported by flask-route counts as a view. */
export function requestParam(m: RuleMatch, fx: FixBuilder, at: Node): string | undefined {
  const fn = fx.enclosingFunction(at);
  if (!fn) return undefined;
  if (fx.paramNames(fn).includes('request')) return 'request';
  if (!looksLikeView(m, fn) && flaskUsedBefore(m, fn, at)) {
    // an earlier Flask request/session/g/flash use in this function adds the parameter and its TODO
    fx.ensureParam(fn, 'request', m.ctx.target === 'fastapi' ? `request: ${fx.importFrom('fastapi', 'Request')}` : 'request', { first: m.ctx.target !== 'fastapi' });
    fx.unsafe();
    return 'request';
  }
  if (m.ctx.target === 'fastapi') {
    if (!looksLikeView(m, fn)) return fastapiRequest(m, fx, at);
    fx.ensureParam(fn, 'request', `request: ${fx.importFrom('fastapi', 'Request')}`);
    return 'request';
  }
  return djangoRequest(m, fx, at);
}

const FLASK_PER_REQUEST = new Set(['flask.request', 'flask.session', 'flask.g', 'flask.flash']);

/**
 * Whether Flask's request, session, g or flash is used in a function's body before `at`. (Only the names and
 * attributes that start before it are made: the whole body's were, for each finding in a function that is no view.)
 */
function flaskUsedBefore(m: RuleMatch, fn: Node, at: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body || at.startIndex <= body.startIndex) return false;
  for (const id of body.descendantsOfType(['identifier', 'attribute'], body.startPosition, at.startPosition)) {
    if (id && id.startIndex < at.startIndex && FLASK_PER_REQUEST.has(m.resolve(id) ?? '') && (id.type !== 'identifier' || isReference(id))) return true;
  }
  return false;
}

/** The call `obj.method(...)` around an attribute node, when it is one. */
export function methodCall(attrNode: Node): { name: string; call: Node; method: Node } | undefined {
  const method = attrNode.parent;
  if (method?.type !== 'attribute' || method.childForFieldName('object')?.id !== attrNode.id) return undefined;
  const call = method.parent;
  if (call?.type !== 'call' || call.childForFieldName('function')?.id !== method.id) return undefined;
  return { name: method.childForFieldName('attribute')?.text ?? '', call, method };
}

/** `obj[key]` around an attribute node, when read (not assigned or deleted). */
export function subscriptRead(attrNode: Node): { sub: Node; key: Node } | undefined {
  const sub = attrNode.parent;
  if (sub?.type !== 'subscript' || sub.childForFieldName('value')?.id !== attrNode.id) return undefined;
  const key = sub.childForFieldName('subscript');
  if (!key) return undefined;
  const up = sub.parent;
  if (up?.type === 'assignment' && up.childForFieldName('left')?.id === sub.id) return undefined;
  if (up?.type === 'augmented_assignment' && up.childForFieldName('left')?.id === sub.id) return undefined;
  if (up?.type === 'delete_statement') return undefined;
  return { sub, key };
}

/** A name, attribute, call or subscript chain: needs no parentheses anywhere. */
function isPrimary(code: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && !/[\w.]/.test(c)) return false;
  }
  return true;
}

/** Wraps an expression in parentheses unless its place makes them needless. */
export function paren(n: Node, code: string): string {
  const p = n.parent;
  if (!p || isPrimary(code)) return code;
  if (['expression_statement', 'argument_list', 'return_statement', 'parenthesized_expression', 'list', 'tuple', 'set', 'pair', 'keyword_argument', 'assert_statement'].includes(p.type)) return code;
  if (['if_statement', 'elif_clause', 'while_statement'].includes(p.type) && p.childForFieldName('condition')?.id === n.id) return code;
  if (p.type === 'assignment' && p.childForFieldName('right')?.id === n.id) return code;
  return `(${code})`;
}

// ---------- the multi-dict rules: args, form, files, headers, cookies ----------

export interface MappingSpec {
  /** Flask's attribute on request */
  attr: 'args' | 'form' | 'files' | 'headers' | 'cookies';
  /** Django's attribute on request */
  django: string;
  kind: 'Query' | 'Form' | 'File' | 'Header' | 'Cookie';
  /** the FastAPI type of one value */
  valueType: string | ((fx: FixBuilder) => string);
  /** FastAPI spelling of the whole mapping on `request`; `awaited` when it needs await (form data) */
  fastapiMapping: { code: string; awaited: boolean };
  /** extra Django check (e.g. FileStorage.save) */
  djangoExtra?: (m: RuleMatch, fx: FixBuilder, fn: Node) => void;
  fastapiExtra?: (m: RuleMatch, fx: FixBuilder, fn: Node) => void;
}

const TYPES: Record<string, string> = { int: 'int', float: 'float', str: 'str' };

/** The parts of `X.attr.get(key, default, type=T)`. */
function getParts(call: Node): { key?: Node; dflt?: Node; type?: Node; ok: boolean } {
  const a = callArgs(call);
  if (a.splats.length || a.positional.length > 3) return { ok: false };
  const key = a.positional[0] ?? a.keywords.get('key');
  const dflt = a.positional[1] ?? a.keywords.get('default');
  const type = a.positional[2] ?? a.keywords.get('type');
  const known = [...a.keywords.keys()].every((k) => ['key', 'default', 'type'].includes(k));
  return { key, dflt, type, ok: !!key && known };
}

export function mappingFixes(spec: MappingSpec): { django: RuleFix; fastapi: RuleFix } {
  return {
    django: {
      title: `Use request.${spec.django}`,
      safe: true,
      apply(m, fx) {
        const node = m.captures.finding;
        const req = requestParam(m, fx, node);
        if (!req) return false;
        const fn = fx.enclosingFunction(node)!;
        const target = `${req}.${spec.django}`;
        const mc = methodCall(node);
        if (mc && (mc.name === 'get' || mc.name === 'getlist')) {
          const { key, dflt, type } = getParts(mc.call);
          if (type) {
            const t = fx.text(type);
            const a = callArgs(mc.call);
            const keyText = fx.text(key);
            if (mc.name === 'getlist') {
              fx.replace(mc.call, `[${t}(v) for v in ${target}.getlist(${keyText})]`);
              fx.todo(node, `a value ${t}() cannot convert now raises ValueError (Flask skipped it)`);
            } else if (t === 'str') {
              fx.replace(mc.call, `${target}.get(${[keyText, ...(dflt ? [fx.text(dflt)] : [])].join(', ')})`);
            } else if (dflt && dflt.type !== 'none') {
              fx.replace(mc.call, `${t}(${target}.get(${keyText}, ${fx.text(dflt)}))`);
              fx.todo(node, `a value ${t}() cannot convert now raises ValueError (Flask returned the default): validate it`);
            } else {
              fx.replace(mc.call, `${target}.get(${keyText})`);
              fx.todo(node, `the value is now a str or None: convert it with ${t}() (Flask returned None for a missing or invalid value)`);
            }
            void a;
            spec.djangoExtra?.(m, fx, fn);
            return;
          }
        }
        if (mc?.name === 'to_dict') {
          const a = callArgs(mc.call);
          if (!a.positional.length && !a.keywords.size && spec.django !== 'COOKIES' && spec.django !== 'headers') {
            fx.replace(mc.call, `${target}.dict()`);
            spec.djangoExtra?.(m, fx, fn);
            return;
          }
          if (!a.positional.length && !a.keywords.size) {
            fx.replace(mc.call, `dict(${target})`);
            spec.djangoExtra?.(m, fx, fn);
            return;
          }
          fx.todo(node, `${spec.django} has no to_dict(): use dict(${target}.lists()) for all values`);
        }
        if (subscriptRead(node)) fx.unsafe(); // a missing key: Flask answers 400, Django raises (500)
        if (fx.text(node) !== target) fx.replace(node, target);
        spec.djangoExtra?.(m, fx, fn);
      },
    },
    fastapi: {
      title: `Declare a FastAPI ${spec.kind}() parameter`,
      safe: true,
      apply(m, fx) {
        const node = m.captures.finding;
        const fn = fx.enclosingFunction(node);
        if (!fn) return false;
        const vt = typeof spec.valueType === 'function' ? spec.valueType(fx) : spec.valueType;
        const mc = methodCall(node);
        const sub = subscriptRead(node);
        let done = false;
        if (mc && (mc.name === 'get' || mc.name === 'getlist')) {
          const { key, dflt, type, ok } = getParts(mc.call);
          const k = stringValue(key);
          const t = type ? TYPES[fx.text(type)] : vt;
          if (ok && k !== undefined && t && (!type || vt === 'str')) {
            if (mc.name === 'getlist') {
              if (!dflt) done = endpointParam(m, fx, mc.call, { key: k, kind: spec.kind, type: `list[${t}]`, optional: true, default: '[]' });
            } else if (!dflt || dflt.type === 'none') {
              done = endpointParam(m, fx, mc.call, { key: k, kind: spec.kind, type: t, optional: true });
            } else if (isLiteral(dflt) && (type || dflt.type === 'string' || vt !== 'str')) {
              done = endpointParam(m, fx, mc.call, { key: k, kind: spec.kind, type: t, optional: true, default: fx.text(dflt) });
            }
            if (done && type) fx.unsafe(); // a value that does not convert: Flask returned the default, FastAPI answers 422
            if (!done && type) return false;
          } else if (type) return false;
        } else if (sub) {
          const k = stringValue(sub.key);
          if (k !== undefined) done = endpointParam(m, fx, sub.sub, { key: k, kind: spec.kind, type: vt, optional: false });
        }
        if (!done) {
          // anything else reads the whole mapping from the request
          if (spec.fastapiMapping.awaited && !isAsync(fn)) {
            fx.todo(node, `read the ${spec.attr} in an \`async def\` endpoint with \`await request.form()\`, or declare ${spec.kind}() parameters`);
            return;
          }
          const req = requestParam(m, fx, node);
          if (!req) return false;
          const code = spec.fastapiMapping.code.replace(/^request\b/, req);
          if (mc?.name === 'to_dict' && !callArgs(mc.call).positional.length && !callArgs(mc.call).keywords.size) {
            fx.replace(mc.call, `dict(${spec.fastapiMapping.awaited ? `await ${code}` : code})`);
          } else {
            if (mc?.name === 'to_dict') fx.todo(node, 'to_dict() options: Starlette has multi_items() for all values');
            fx.replace(node, spec.fastapiMapping.awaited ? `(await ${code})` : code);
          }
        }
        spec.fastapiExtra?.(m, fx, fn);
      },
    },
  };
}

/** The module-level statement a TODO about the app goes above: `app = Flask(...)`, else a blueprint, else the first statement. */
export function appStatement(m: RuleMatch): Node | undefined {
  const root = m.ctx.tree.rootNode;
  let first: Node | undefined;
  let bp: Node | undefined;
  for (const s of root.namedChildren) {
    if (!s || s.type === 'comment' || s.type.startsWith('import') || s.type === 'future_import_statement') continue;
    if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'string' && !first) continue;
    first ??= s;
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (a?.type === 'assignment') {
      const q = m.resolve(a.childForFieldName('right'));
      if (q === 'flask.Flask()') return s;
      if (q === 'flask.Blueprint()') bp ??= s;
    }
  }
  return bp ?? first;
}

export const SESSION_MIDDLEWARE_TODO =
  'request.session needs app.add_middleware(SessionMiddleware, secret_key=...) (from starlette.middleware.sessions; pip install itsdangerous) where the FastAPI app is made';

/** Once per module: the SessionMiddleware TODO, unless the file already mentions SessionMiddleware. */
export function sessionMiddlewareTodo(m: RuleMatch, fx: FixBuilder) {
  if (m.ctx.text.includes('SessionMiddleware')) return;
  const at = appStatement(m);
  if (at) todoOnce(fx, at, SESSION_MIDDLEWARE_TODO);
}
