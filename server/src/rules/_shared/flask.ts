// Facts about Flask and helpers that several Flask rules share.
import type { Node } from '../../parsing/python';
import type { FixBuilder } from '../../analysis/fixBuilder';
import type { RuleMatch } from '../../analysis/rule';

/** What `app`/`bp` stand for when they are a Flask app (made anywhere, under any name) or a blueprint. */
export const FLASK_APP = 'flask.Flask()';
export const FLASK_BLUEPRINT = 'flask.Blueprint()';
export const isAppOrBlueprint = (q: string | undefined) => q === FLASK_APP || q === FLASK_BLUEPRINT;

export const ROUTE_METHODS = ['route', 'get', 'post', 'put', 'delete', 'patch'] as const;

/** The function a node sits in, when that function is a Flask view (decorated with a route). */
export function enclosingView(m: RuleMatch, n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return isFlaskView(m, p) ? p : undefined;
  }
  return undefined;
}

/**
 * Whether a function is a view: decorated with a Flask route, or with what an earlier fix made of one (a FastAPI
 * path operation on an app or router, or Django's method decorators) — fix-all runs in passes, and a later pass
 * must still see the endpoint.
 */
export function isFlaskView(m: RuleMatch, fn: Node): boolean {
  const dd = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  if (!dd) return false;
  for (const d of dd.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const call = d.namedChildren[0];
    const callee = call?.type === 'call' ? call.childForFieldName('function') : call;
    if (!callee) continue;
    const q = m.resolve(callee);
    if (q?.startsWith('django.views.decorators.http.require_')) return true;
    if (callee.type !== 'attribute') continue;
    const attr = callee.childForFieldName('attribute')?.text ?? '';
    const owner = m.resolve(callee.childForFieldName('object'));
    if ((ROUTE_METHODS as readonly string[]).includes(attr) && isAppOrBlueprint(owner)) return true;
    if ((FASTAPI_ROUTE_METHODS as readonly string[]).includes(attr) && (owner === 'fastapi.FastAPI()' || owner === 'fastapi.APIRouter()')) return true;
  }
  return false;
}

const FASTAPI_ROUTE_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'api_route'] as const;

/**
 * Django passes the request to the view: make sure the enclosing function takes `request` first. Returns the
 * name to use, or undefined outside a function. Outside a view the signature change is for a person to check.
 */
export function djangoRequest(m: RuleMatch, fx: FixBuilder, at: Node): string | undefined {
  const fn = fx.enclosingFunction(at);
  if (!fn) return undefined;
  if (!fx.paramNames(fn).includes('request')) {
    fx.ensureParam(fn, 'request', 'request', { first: true });
    if (!isFlaskView(m, fn)) fx.todo(fn, `\`${fn.childForFieldName('name')?.text}\` now takes the request: pass it from its callers`);
  }
  return 'request';
}

/** FastAPI hands the request to an endpoint that asks for it: `request: Request`. */
export function fastapiRequest(m: RuleMatch, fx: FixBuilder, at: Node): string | undefined {
  const fn = fx.enclosingFunction(at);
  if (!fn) return undefined;
  if (!fx.paramNames(fn).includes('request')) {
    fx.ensureParam(fn, 'request', `request: ${fx.importFrom('fastapi', 'Request')}`);
    if (!isFlaskView(m, fn)) fx.todo(fn, `\`${fn.childForFieldName('name')?.text}\` now takes the request: pass it from its callers`);
  }
  return 'request';
}

export type FastapiParam = { name: string; key: string; kind: 'Query' | 'Form' | 'Header' | 'Cookie' | 'File' | 'Body'; type: string; optional: boolean; default?: string };

/** Writes `name: Annotated[type, Kind(alias=…)] = default` into fn's parameters (aliased only when needed). */
export function addFastapiParam(fx: FixBuilder, fn: Node, p: FastapiParam) {
  const annotated = fx.importFrom('typing', 'Annotated');
  const marker = fx.importFrom('fastapi', p.kind);
  const aliasNeeded = p.kind === 'Header' ? p.key.toLowerCase().replace(/-/g, '_') !== p.name : p.key !== p.name;
  const alias = aliasNeeded ? `alias=${JSON.stringify(p.key)}` : '';
  const type = p.optional && p.default === undefined ? `${p.type} | None` : p.type;
  const dflt = p.default ?? (p.optional ? 'None' : undefined);
  fx.ensureParam(fn, p.name, `${p.name}: ${annotated}[${type}, ${marker}(${alias})]${dflt !== undefined ? ` = ${dflt}` : ''}`, { hasDefault: dflt !== undefined });
}

/** FastAPI endpoint parameter for a request value, e.g. `q: Annotated[str | None, Query()] = None`. */
export function fastapiParam(
  m: RuleMatch,
  fx: FixBuilder,
  at: Node,
  p: { name: string; key: string; kind: 'Query' | 'Form' | 'Header' | 'Cookie' | 'File' | 'Body'; type: string; optional: boolean; default?: string },
): string | undefined {
  const fn = fx.enclosingFunction(at);
  if (!fn) return undefined;
  if (fx.paramNames(fn).includes(p.name)) return p.name;
  addFastapiParam(fx, fn, p);
  if (!isFlaskView(m, fn)) fx.todo(fn, `\`${fn.childForFieldName('name')?.text}\` is not an endpoint: pass ${p.name} from the endpoint that calls it`);
  return p.name;
}
