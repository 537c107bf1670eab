import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isReference } from '../../../analysis/bindings';
import { fastapiParam } from '../../_shared/flask';
import { addParam, isConditional, isFlaskRequest, looksLikeView, nameIsFree, paramName, requestParam, simpleAssignment, todoOnce } from '../../_shared/flaskRequest';

/** `get_json(silent=True)`: None instead of an error. `force` only skips the content-type check. */
function options(m: RuleMatch): { silent: boolean; ok: boolean } {
  const f = m.captures.finding;
  if (f.type !== 'call') return { silent: false, ok: true };
  const a = callArgs(f);
  if (a.positional.length || a.splats.length) return { silent: false, ok: false };
  const known = [...a.keywords.keys()].every((k) => ['force', 'silent', 'cache'].includes(k));
  const silent = a.keywords.get('silent');
  if (silent && silent.type !== 'true' && silent.type !== 'false') return { silent: false, ok: false };
  return { silent: silent?.type === 'true', ok: known };
}

/** Every read of the JSON body in `fn`, in order. */
function bodyReads(m: RuleMatch, fn: Node): Node[] {
  const out: Node[] = [];
  for (const a of fn.descendantsOfType('attribute')) {
    if (!a) continue;
    const attr = a.childForFieldName('attribute')?.text;
    if (attr !== 'json' && attr !== 'get_json') continue;
    if (!isFlaskRequest(m, a.childForFieldName('object') ?? undefined, attr)) continue;
    out.push(attr === 'get_json' && a.parent?.type === 'call' ? a.parent : a);
  }
  return out;
}

const PYDANTIC_TODO = 'describe the JSON body with a Pydantic BaseModel and use it as the parameter\'s type (FastAPI then validates it and answers 422)';

export default defineRule({
  id: 'flask-request-json',
  from: 'flask',
  category: 'request',
  title: 'request.get_json() / request.json',
  message: '`request.get_json()` parses Flask\'s JSON request body: use `json.loads(request.body)` in Django, or a body parameter of the FastAPI endpoint.',
  effortMinutes: 5,
  needles: ['json'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, m.captures.attr.text) },
  // `request.json()` is Starlette's own method, not Flask's property
  when: (m) => m.captures.finding.type === 'call' || !(m.captures.finding.parent?.type === 'call' && m.captures.finding.parent.childForFieldName('function')?.id === m.captures.finding.id),
  fixes: {
    django: {
      title: 'Parse request.body with json.loads()',
      safe: false,
      apply(m, fx) {
        const o = options(m);
        if (!o.ok) return false;
        const req = requestParam(m, fx, m.captures.finding);
        if (!req) return false;
        const json = fx.importModule('json');
        if (o.silent) {
          // Flask gives None for a body that is not JSON; json.loads would raise (a 500 in Django)
          fx.ensureModuleCode(
            'json_body_or_none',
            `def json_body_or_none(body):\n    """The request body parsed as JSON, or None when it is not JSON (Flask's get_json(silent=True))."""\n    try:\n        return ${json}.loads(body)\n    except ValueError:\n        return None`,
          );
          fx.replace(m.captures.finding, `json_body_or_none(${req}.body)`);
          return;
        }
        fx.replace(m.captures.finding, `${json}.loads(${req}.body)`);
      },
    },
    fastapi: {
      title: 'Declare a body parameter',
      safe: false,
      apply(m, fx) {
        const o = options(m);
        if (!o.ok) return false;
        const node = m.captures.finding;
        const fn = fx.enclosingFunction(node);
        if (!fn) return false;
        const params = fx.paramNames(fn);
        // one body parameter per endpoint: named after the first read (`data = request.get_json()` → data)
        const existing = fn.childForFieldName('parameters')?.namedChildren.find((p) => p && /\bBody\(/.test(p.text));
        const reads = bodyReads(m, fn);
        const first = reads[0];
        const firstAssign = first ? simpleAssignment(first) : undefined;
        let name = existing ? paramName(existing) : undefined;
        if (!name) {
          const unused = (n: string) => !params.includes(n) && !fn.descendantsOfType('identifier').some((i) => i?.text === n && isReference(i));
          if (firstAssign && !params.includes(firstAssign.name) && nameIsFree(m, fn, firstAssign.name, firstAssign.stmt, firstAssign.stmt)) name = firstAssign.name;
          else name = ['payload', 'body', 'json_body'].find(unused);
        }
        if (!name) return false;
        const Any = fx.importFrom('typing', 'Any');
        const silent = reads.some((r) => r.type === 'call' && /silent\s*=\s*True/.test(r.text));
        const spec = { name, key: name, kind: 'Body' as const, type: `dict[str, ${Any}]`, optional: silent };
        if (!existing) {
          if (looksLikeView(m, fn)) addParam(fx, fn, spec);
          else fastapiParam(m, fx, node, spec);
        }
        const assign = simpleAssignment(node);
        if (assign && assign.name === name && node.id === first?.id) fx.deleteStatement(assign.stmt);
        else fx.replace(node, name);
        if (looksLikeView(m, fn)) {
          todoOnce(fx, fn, PYDANTIC_TODO);
          if (!silent && isConditional(fn, node)) todoOnce(fx, fn, 'FastAPI requires the body on every request to this endpoint (422 when missing), but Flask read it only on some paths: split the endpoint per method, or make the body optional');
        }
      },
    },
  },
  docs: {
    summary:
      'Flask parses a JSON request body with `request.get_json()` (or the `request.json` property). Django reads the raw bytes in `request.body` and parses them with `json.loads()`; FastAPI declares a body parameter, ideally typed with a Pydantic model.',
    notes: [
      'Flask answers 415 when the content type is not JSON (unless `force=True`) and 400 for invalid JSON; `json.loads(request.body)` ignores the content type and raises JSONDecodeError (500) on bad input.',
      '`get_json(silent=True)` returns None on bad input: the Django fix calls a small module-level `json_body_or_none()` that does the same; the FastAPI parameter becomes optional, but invalid JSON still answers 422.',
      'The FastAPI fix declares `payload: Annotated[dict[str, Any], Body()]`: a JSON array or scalar body is rejected (422); replace dict[str, Any] by a Pydantic model to validate the fields.',
      'A FastAPI endpoint has one body: several reads of the JSON in one view share one parameter.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/api/#flask.Request.get_json',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.body',
      'https://fastapi.tiangolo.com/tutorial/body/',
      'https://fastapi.tiangolo.com/tutorial/body-multiple-params/',
    ],
  },
});
