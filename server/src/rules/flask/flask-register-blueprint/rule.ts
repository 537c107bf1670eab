import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, pyString, stringValue } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isAppOrBlueprint } from '../../_shared/flask';

function parts(m: RuleMatch): { bp: Node; prefix?: Node; others: string[] } | undefined {
  const { positional, keywords, splats } = callArgs(m.captures.finding);
  if (splats.length || positional.length !== 1) return undefined;
  const others = [...keywords.keys()].filter((k) => k !== 'url_prefix');
  return { bp: positional[0], prefix: keywords.get('url_prefix'), others };
}

/** The url_prefix the blueprint was created with, when it is made in this file. */
function ownPrefix(m: RuleMatch, bp: Node): Node | undefined | null {
  if (bp.type !== 'identifier') return null;
  const b = m.ctx.bindings;
  const bind = b.lookupNode(bp);
  if (bind?.kind !== 'assign' || bind.value?.type !== 'call') return null;
  return callArgs(bind.value).keywords.get('url_prefix');
}

/** The module the blueprint comes from (`from .api import api` → 'blog.api'). */
function moduleOf(m: RuleMatch, bp: Node): string {
  const b = m.ctx.bindings;
  const bind = bp.type === 'identifier' ? b.lookupNode(bp) : undefined;
  if (bind?.kind === 'from-import' && bind.module) return bind.module;
  if (bind?.kind === 'assign' && bind.value?.type === 'call') {
    const name = stringValue(callArgs(bind.value).positional[0]);
    if (name) return name;
  }
  return b.moduleName || bp.text;
}

export default defineRule({
  id: 'flask-register-blueprint',
  from: 'flask',
  category: 'routing',
  title: 'register_blueprint()',
  message: '`register_blueprint()` mounts a blueprint\'s routes: FastAPI includes the router with `include_router()`; Django includes the app\'s urls.py in the root urls.py.',
  effortMinutes: 3,
  needles: ['register_blueprint'],
  requires: { app: (q) => isAppOrBlueprint(q) },
  fixes: {
    fastapi: {
      title: 'Replace with include_router()',
      safe: true,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const args = [fx.text(p.bp)];
        if (p.prefix && p.prefix.type !== 'none') {
          args.push(`prefix=${fx.text(p.prefix)}`);
          const own = ownPrefix(m, p.bp);
          if (own) fx.todo(m.captures.finding, `Flask's url_prefix here replaced the blueprint's own ${own.text}; include_router() adds both: drop one of them`);
          else if (own === null) fx.unsafe(); // the blueprint's own prefix (defined elsewhere) is now added, not replaced
        }
        if (p.others.length) fx.todo(m.captures.finding, `register_blueprint option ${p.others.map((k) => `\`${k}\``).join(', ')} has no include_router equivalent: port it by hand`);
        fx.replace(m.captures.method, 'include_router');
        fx.replace(m.captures.args, `(${args.join(', ')})`);
      },
    },
    django: {
      title: 'Mark for the root urls.py (include())',
      safe: false,
      apply(m, fx) {
        const p = parts(m);
        if (!p) return false;
        const prefix = (stringValue(p.prefix) ?? '').replace(/^\/+/, '').replace(/\/*$/, '/').replace(/^\/$/, '');
        const hint = p.prefix ? `path(${pyString(prefix)}, include(${pyString(`${moduleOf(m, p.bp)}.urls`)}))` : `path("", include(${pyString(`${moduleOf(m, p.bp)}.urls`)})) with the blueprint's own url_prefix`;
        fx.todo(m.captures.finding, `add to the root urls.py: ${hint}; delete this line once the app object is gone`);
      },
    },
  },
  docs: {
    summary:
      '`app.register_blueprint(bp, url_prefix="/api")` mounts a blueprint. FastAPI: `app.include_router(bp, prefix="/api")`; Django: `path("api/", include("module.urls"))` in the root urls.py.',
    notes: [
      'Flask\'s `url_prefix=` at registration replaces the blueprint\'s own prefix; FastAPI\'s `prefix=` is prepended to the router\'s own one.',
      'Django includes an app\'s urls module; Django patterns have no leading slash and usually end with one (`"api/"`).',
    ],
    links: [
      'https://fastapi.tiangolo.com/tutorial/bigger-applications/#include-an-apirouter-with-a-custom-prefix-tags-responses-and-dependencies',
      'https://docs.djangoproject.com/en/stable/topics/http/urls/#including-other-urlconfs',
    ],
  },
});
