import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { appStatement, requestParam, todoOnce } from '../../_shared/flaskRequest';

/** flash(message, category="message") */
function parts(m: RuleMatch): { message: Node; category?: Node } | undefined {
  const a = callArgs(m.captures.finding);
  if (a.splats.length || a.positional.length > 2) return undefined;
  if ([...a.keywords.keys()].some((k) => k !== 'message' && k !== 'category')) return undefined;
  const message = a.positional[0] ?? a.keywords.get('message');
  const category = a.positional[1] ?? a.keywords.get('category');
  return message ? { message, category } : undefined;
}

/** Flask category → Django messages function (and an extra tag that keeps the CSS class templates used). */
const LEVELS: Record<string, { fn: string; tag?: string }> = {
  message: { fn: 'info' },
  info: { fn: 'info' },
  success: { fn: 'success' },
  warning: { fn: 'warning' },
  error: { fn: 'error' },
  danger: { fn: 'error', tag: 'danger' },
  debug: { fn: 'debug' },
};

const FASTAPI_TODO =
  'FastAPI has no flash(): messages go to request.session["_flashes"] as in Flask; install SessionMiddleware and make the templates read and clear them (they used get_flashed_messages())';

export default defineRule({
  id: 'flask-flash',
  from: 'flask',
  category: 'session',
  title: 'flash()',
  message: '`flash()` queues a one-time message for the next page: use the Django messages framework; FastAPI has none, so the message is kept in the session.',
  effortMinutes: 3,
  needles: ['flash'],
  requires: { fn: ['flask.flash'] },
  fixes: {
    django: {
      title: 'Use django.contrib.messages',
      safe: true,
      apply(m, fx: FixBuilder) {
        const p = parts(m);
        if (!p) return false;
        const req = requestParam(m, fx, m.captures.finding);
        if (!req) return false;
        const messages = fx.importFrom('django.contrib', 'messages');
        const msg = fx.text(p.message);
        const cat = p.category ? stringValue(p.category) : 'message';
        const level = cat !== undefined ? LEVELS[cat] : undefined;
        if (level) {
          const tag = level.tag ? `, extra_tags=${JSON.stringify(level.tag)}` : '';
          fx.replace(m.captures.finding, `${messages}.${level.fn}(${req}, ${msg}${tag})`);
          return;
        }
        const tags = p.category ? `, extra_tags=${fx.text(p.category)}` : '';
        fx.replace(m.captures.finding, `${messages}.add_message(${req}, ${messages}.INFO, ${msg}${tags})`);
        fx.todo(m.captures.finding, `pick the message level for category ${fx.text(p.category)} (kept as extra_tags for the templates)`);
      },
    },
    fastapi: {
      title: 'Keep the message in request.session',
      safe: false,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const req = requestParam(m, fx, m.captures.finding);
        if (!req) return false;
        const cat = p.category ? fx.text(p.category) : '"message"';
        fx.replace(m.captures.finding, `${req}.session.setdefault("_flashes", []).append((${cat}, ${fx.text(p.message)}))`);
        const at = appStatement(m);
        if (at) todoOnce(fx, at, FASTAPI_TODO);
        else fx.unsafe();
      },
    },
  },
  docs: {
    summary:
      'Flask\'s `flash(message, category)` stores a message in the session for the next rendered page. Django\'s messages framework does the same with levels (`messages.success(request, "Saved")`); FastAPI has no equivalent, so the fix stores the pair in `request.session["_flashes"]` exactly as Flask did.',
    notes: [
      'Categories map to Django levels: message/info → info, success, warning, error and danger → error (with extra_tags="danger" so CSS classes survive); other categories use add_message(..., extra_tags=category).',
      'Templates change: Flask\'s `get_flashed_messages(with_categories=true)` becomes `{% for message in messages %}` with `message.tags` in Django.',
      'Django needs django.contrib.messages in INSTALLED_APPS and its middleware (the default project has both).',
      'FastAPI needs SessionMiddleware, and the templates must read and clear `request.session["_flashes"]` themselves.',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/patterns/flashing/',
      'https://docs.djangoproject.com/en/stable/ref/contrib/messages/',
      'https://www.starlette.io/middleware/#sessionmiddleware',
    ],
  },
});
