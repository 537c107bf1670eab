import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isFlaskView } from '../../_shared/flask';

function parts(m: RuleMatch): { status: Node; description?: Node } | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || positional.length > 2) return undefined;
  const status = positional[0] ?? keywords.get('code');
  if (!status) return undefined;
  for (const k of keywords.keys()) if (k !== 'code' && k !== 'description') return undefined;
  return { status, description: positional[1] ?? keywords.get('description') };
}

/** `abort(...)` as a statement of its own (it can become `raise`/`return`). */
function asStatement(call: Node): Node | undefined {
  return call.parent?.type === 'expression_statement' && call.parent.namedChildren.length === 1 ? call.parent : undefined;
}

/** Whether a `return` in place of `abort()` ends the view the same way: in the view itself, outside any try. */
function canReturn(m: RuleMatch, fx: FixBuilder, stmt: Node): boolean {
  const fn = fx.enclosingFunction(stmt);
  if (!fn || !isFlaskView(m, fn)) return false;
  for (let p = stmt.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'try_statement' || p.type === 'lambda') return false;
  return true;
}

const DJANGO_EXC: Record<string, [string, string] | undefined> = {
  '404': ['django.http', 'Http404'],
  '403': ['django.core.exceptions', 'PermissionDenied'],
  '400': ['django.core.exceptions', 'BadRequest'],
};

export default defineRule({
  id: 'flask-abort',
  from: 'flask',
  category: 'errors',
  title: 'abort()',
  message: (m) => `\`abort(${callArgs(m.captures.finding).positional[0]?.text ?? '…'})\` stops the request with an HTTP error: raise the target framework's exception instead.`,
  effortMinutes: 2,
  needles: ['abort'],
  requires: { fn: ['flask.abort'] },
  fixes: {
    django: {
      title: 'Raise the matching Django exception',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        const call = m.captures.finding;
        const stmt = asStatement(call);
        if (!p || !stmt) return false;
        const desc = p.description ? fx.text(p.description) : '';
        const exc = DJANGO_EXC[p.status.text];
        if (exc) {
          const E = fx.importFrom(exc[0], exc[1]);
          fx.replace(call, `raise ${E}${desc ? `(${desc})` : ''}`);
          return;
        }
        if (p.status.type === 'integer' && canReturn(m, fx, stmt)) {
          // no Django exception for this status: the view returns the response instead
          fx.replace(call, `return ${fx.importFrom('django.http', 'HttpResponse')}(${desc ? `${desc}, ` : ''}status=${p.status.text})`);
          fx.unsafe();
          return;
        }
        fx.todo(call, `Django has no exception for status ${p.status.text}: return HttpResponse(status=${p.status.text}) from the view, or raise your own exception and turn it into a response in a middleware`);
      },
    },
    fastapi: {
      title: 'Raise HTTPException',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        const call = m.captures.finding;
        if (!p || !asStatement(call)) return false;
        const args = [`status_code=${fx.text(p.status)}`];
        if (p.description) args.push(`detail=${fx.text(p.description)}`);
        fx.replace(call, `raise ${fx.importFrom('fastapi', 'HTTPException')}(${args.join(', ')})`);
      },
    },
  },
  docs: {
    summary:
      'Flask `abort(404)` raises an HTTP error. Django raises `Http404`, `PermissionDenied` (403) or `BadRequest` (400, Django 3.2+); FastAPI raises `HTTPException(status_code=..., detail=...)`.',
    notes: [
      'Django has exceptions only for 400, 403 and 404 (and 500 for any other exception): other statuses become `return HttpResponse(status=...)` in the view (then no error handler runs for them), or a TODO where a return would not end the request.',
      'Error bodies change: Flask renders an HTML error page, FastAPI answers JSON `{"detail": ...}`, Django renders its `404.html`/`403.html`/`400.html` templates (only when DEBUG is False).',
      'A `description=` becomes the exception message (Django) or `detail=` (FastAPI).',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/topics/http/views/#the-http404-exception',
      'https://docs.djangoproject.com/en/stable/ref/exceptions/#badrequest',
      'https://fastapi.tiangolo.com/tutorial/handling-errors/',
    ],
  },
});
