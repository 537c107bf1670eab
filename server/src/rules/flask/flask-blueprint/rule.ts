import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, stringValue } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';

function parts(m: RuleMatch): { name?: Node; prefix?: Node; others: string[] } | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || positional.length > 2) return undefined;
  const others = [...keywords.keys()].filter((k) => !['name', 'import_name', 'url_prefix'].includes(k));
  return { name: positional[0] ?? keywords.get('name'), prefix: keywords.get('url_prefix'), others };
}

export default defineRule({
  id: 'flask-blueprint',
  from: 'flask',
  category: 'routing',
  title: 'Blueprint',
  message: 'A Flask `Blueprint` groups routes: it becomes a FastAPI `APIRouter` or a Django app with its own urls.py.',
  effortMinutes: 10,
  needles: ['Blueprint'],
  requires: { fn: ['flask.Blueprint'] },
  fixes: {
    fastapi: {
      title: 'Replace Blueprint(...) with APIRouter(...)',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const args: string[] = [];
        if (p.prefix && p.prefix.type !== 'none') args.push(`prefix=${fx.text(p.prefix)}`);
        if (p.name) args.push(`tags=[${fx.text(p.name)}]`);
        if (p.others.length) fx.todo(m.captures.finding, `Blueprint option ${p.others.map((k) => `\`${k}\``).join(', ')} has no APIRouter equivalent: port it by hand`);
        fx.replace(m.captures.finding, `${fx.importFrom('fastapi', 'APIRouter')}(${args.join(', ')})`);
      },
    },
    django: {
      title: 'Mark the blueprint for porting to a Django app',
      safe: false,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const name = stringValue(p.name) ?? 'app';
        const prefix = (stringValue(p.prefix) ?? '').replace(/^\/+/, '').replace(/\/*$/, '/').replace(/^\/$/, '');
        fx.todo(
          m.captures.finding,
          `make this blueprint a Django app: its urls.py sets app_name = ${pyString(name)} and lists its views in urlpatterns; the root urls.py adds path(${pyString(prefix)}, include(${pyString(`${name}.urls`)}))`,
        );
      },
    },
  },
  docs: {
    summary:
      'A Flask `Blueprint("blog", __name__, url_prefix="/blog")` groups views under a name and prefix. FastAPI: `APIRouter(prefix="/blog", tags=["blog"])` included with `app.include_router()`; Django: an app whose urls.py sets `app_name = "blog"`, included by the root urls.py with `path("blog/", include("blog.urls"))`.',
    notes: [
      'Endpoint names: Flask prefixes them with the blueprint name (`"blog.show"`); Django namespaces them with `app_name` (`"blog:show"`); FastAPI route names are not namespaced at all.',
      'Blueprint hooks (`before_request`, `errorhandler`) have no APIRouter equivalent: use router dependencies (`APIRouter(dependencies=[Depends(...)])`) or app-level middleware and exception handlers.',
      'Blueprint `static_folder`/`template_folder` need their own StaticFiles mount / template directories.',
    ],
    links: [
      'https://fastapi.tiangolo.com/tutorial/bigger-applications/',
      'https://docs.djangoproject.com/en/stable/topics/http/urls/#url-namespaces-and-included-urlconfs',
      'https://flask.palletsprojects.com/en/stable/blueprints/',
    ],
  },
});
