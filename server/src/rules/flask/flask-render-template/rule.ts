import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, type FixBuilder } from '../../../analysis/fixBuilder';
import { djangoRequest, fastapiRequest } from '../../_shared/flask';
import { returnTuple } from '../../_shared/flaskApp';

/** Template name and context dict text: render_template("a.html", x=x, **ctx) → "a.html", {"x": x, **ctx}. */
function templateArgs(m: RuleMatch, fx: FixBuilder): { name: string; context?: string } | undefined {
  const { positional, keywordNodes, splats } = callArgs(m.captures.finding);
  const nameNode = positional[0] ?? keywordNodes.get('template_name_or_list')?.childForFieldName('value');
  if (!nameNode || positional.length > 1 || splats.some((s) => s.type === 'list_splat')) return undefined;
  const items: string[] = [];
  for (const [k, kw] of keywordNodes) if (k !== 'template_name_or_list') items.push(`${pyString(k)}: ${fx.text(kw.childForFieldName('value'))}`);
  const dictSplats = splats.map((s) => fx.text(s.namedChildren[0]));
  let context: string | undefined;
  if (items.length === 0 && dictSplats.length === 1) context = dictSplats[0];
  else if (items.length || dictSplats.length) context = `{${[...items, ...dictSplats.map((s) => `**${s}`)].join(', ')}}`;
  return { name: fx.text(nameNode), context };
}

export default defineRule({
  id: 'flask-render-template',
  from: 'flask',
  category: 'templates',
  title: 'render_template()',
  message: '`render_template()` renders a Jinja template: port it to Django\'s `render(request, ...)` or FastAPI\'s `templates.TemplateResponse(request, ...)`.',
  effortMinutes: 3,
  needles: ['render_template'],
  requires: { fn: ['flask.render_template'] },
  fixes: {
    django: {
      title: 'Replace with django.shortcuts.render()',
      safe: true,
      apply(m, fx) {
        const call = m.captures.finding;
        const t = templateArgs(m, fx);
        const rt = returnTuple(call);
        if (!t || rt?.headers) return false;
        const req = djangoRequest(m, fx, call);
        if (!req) return false;
        const args = [req, t.name];
        if (t.context) args.push(t.context);
        if (rt?.status) args.push(`status=${fx.text(rt.status)}`);
        fx.replace(rt?.status ? rt.tuple : call, `${fx.importFrom('django.shortcuts', 'render')}(${args.join(', ')})`);
      },
    },
    fastapi: {
      title: 'Replace with templates.TemplateResponse()',
      safe: true,
      apply(m, fx) {
        const call = m.captures.finding;
        const t = templateArgs(m, fx);
        const rt = returnTuple(call);
        if (!t || rt?.extra) return false;
        const req = fastapiRequest(m, fx, call);
        if (!req) return false;
        const J = fx.importFrom('fastapi.templating', 'Jinja2Templates');
        const Path = fx.importFrom('pathlib', 'Path');
        fx.ensureModuleCode('templates', `templates = ${J}(directory=${Path}(__file__).parent / "templates")`);
        const args = [req, t.name];
        if (t.context) args.push(t.context);
        if (rt?.status) args.push(`status_code=${fx.text(rt.status)}`);
        if (rt?.headers) args.push(`headers=${fx.text(rt.headers)}`);
        fx.replace(rt?.status ? rt.tuple : call, `templates.TemplateResponse(${args.join(', ')})`);
      },
    },
  },
  docs: {
    summary:
      'Flask `render_template("a.html", x=x)` renders a Jinja template. Django: `render(request, "a.html", {"x": x})`; FastAPI: `templates.TemplateResponse(request, "a.html", {"x": x})` with a module-level `Jinja2Templates`.',
    notes: [
      'Django renders with its own template language (DTL) by default: convert the Jinja templates, or configure the `django.template.backends.jinja2.Jinja2` backend (whose environment must provide `url_for`, `get_flashed_messages`, … yourself).',
      'Flask puts `request`, `session`, `g`, `config`, `url_for` and `get_flashed_messages` into every template; Starlette\'s `Jinja2Templates` provides `request` and `url_for` (with `path=` instead of `filename=` for static files), Django\'s context processors provide `request`, `user`, `messages`, `perms`.',
      'Flask looks templates up in the app\'s (and blueprints\') `templates/` folder next to the package; the FastAPI fix points `Jinja2Templates` at `templates/` next to the module. Move it to one shared module when several files render templates.',
      '`return render_template(...), 404` becomes one response with its status (`status=` in Django, `status_code=` in FastAPI).',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#render',
      'https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2',
      'https://fastapi.tiangolo.com/advanced/templates/',
      'https://www.starlette.io/templates/',
    ],
  },
});
