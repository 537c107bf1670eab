import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isFlaskView } from '../../_shared/flask';

/** `return jsonify(x), 201` → the tuple around the call, its status and headers. */
function returnTuple(call: Node): { tuple: Node; status?: Node; headers?: Node } | undefined {
  const t = call.parent;
  if (t?.type !== 'expression_list' || t.parent?.type !== 'return_statement') return undefined;
  const items = t.namedChildren.filter((c): c is Node => !!c);
  if (items[0]?.id !== call.id || items.length > 3) return undefined;
  return { tuple: t, status: items[1], headers: items[2] };
}

/** The JSON payload as one Python expression: jsonify(x) → x; jsonify(a=1) → {"a": 1}; jsonify(a, b) → [a, b]. */
function payload(m: RuleMatch, fx: FixBuilder): { code: string; isDict: boolean } | undefined {
  const { positional, keywordNodes, splats } = callArgs(m.captures.finding);
  if (splats.length) return undefined;
  if (positional.length && keywordNodes.size) return undefined;
  if (keywordNodes.size) {
    const items = [...keywordNodes].map(([k, n]) => `${JSON.stringify(k)}: ${fx.text(n.childForFieldName('value'))}`);
    return { code: `{${items.join(', ')}}`, isDict: true };
  }
  if (positional.length === 1) {
    const a = positional[0];
    const isDict = a.type === 'dictionary' || a.type === 'dictionary_comprehension' || (a.type === 'call' && a.childForFieldName('function')?.text === 'dict');
    return { code: fx.text(a), isDict };
  }
  if (positional.length === 0) return { code: 'None', isDict: false };
  return { code: `[${positional.map((p) => fx.text(p)).join(', ')}]`, isDict: false };
}

export default defineRule({
  id: 'flask-jsonify',
  from: 'flask',
  category: 'response',
  title: 'jsonify()',
  message: '`jsonify()` is Flask\'s JSON response: port it to the target framework\'s JSON response.',
  effortMinutes: 2,
  needles: ['jsonify'],
  requires: { fn: ['flask.jsonify'] },
  fixes: {
    django: {
      title: 'Replace jsonify() with JsonResponse()',
      safe: true,
      apply(m, fx) {
        const p = payload(m, fx);
        if (!p) return false;
        const JsonResponse = fx.importFrom('django.http', 'JsonResponse');
        const args = [p.code];
        if (!p.isDict) args.push('safe=False');
        const rt = returnTuple(m.captures.finding);
        if (rt?.status) args.push(`status=${fx.text(rt.status)}`);
        if (rt?.headers) args.push(`headers=${fx.text(rt.headers)}`);
        fx.replace(rt?.status ? rt.tuple : m.captures.finding, `${JsonResponse}(${args.join(', ')})`);
      },
    },
    fastapi: {
      title: 'Port jsonify() to FastAPI (return the data, or a JSONResponse)',
      safe: true,
      apply(m, fx) {
        const p = payload(m, fx);
        if (!p) return false;
        const call = m.captures.finding;
        // an endpoint may return plain data; anything else (an error handler, a helper) must return a response
        const fn = fx.enclosingFunction(call);
        if (call.parent?.type === 'return_statement' && fn && isFlaskView(m, fn)) {
          fx.replace(call, p.code);
          return;
        }
        const JSONResponse = fx.importFrom('fastapi.responses', 'JSONResponse');
        const encoder = fx.importFrom('fastapi.encoders', 'jsonable_encoder');
        const args = [`${encoder}(${p.code})`];
        const rt = returnTuple(call);
        if (rt?.status) args.push(`status_code=${fx.text(rt.status)}`);
        if (rt?.headers) args.push(`headers=${fx.text(rt.headers)}`);
        fx.replace(rt?.status ? rt.tuple : call, `${JSONResponse}(${args.join(', ')})`);
      },
    },
  },
  docs: {
    summary: 'Flask `jsonify(data)` builds a JSON response. Django uses `JsonResponse(data)`; FastAPI serializes a returned dict or model itself.',
    notes: [
      'Django refuses to serialize a non-dict unless `safe=False` is given: the fix adds it for lists and values it cannot prove are dicts.',
      '`return jsonify(x), 201` becomes one response object with its status (`status=` in Django, `status_code=` in FastAPI).',
      'FastAPI: `jsonable_encoder` keeps dates, decimals and models serializable when a response object is built by hand.',
    ],
    links: ['https://docs.djangoproject.com/en/stable/ref/request-response/#jsonresponse-objects', 'https://fastapi.tiangolo.com/advanced/custom-response/'],
  },
});
