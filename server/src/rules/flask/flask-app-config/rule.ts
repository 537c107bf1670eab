import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, isIdentifier, stringValue, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { fastapiRequest } from '../../_shared/flask';

type Use = { kind: 'read'; key: Node; dflt?: string } | { kind: 'write' } | { kind: 'other' };

function useOf(m: RuleMatch): Use {
  const f = m.captures.finding;
  if (f.type === 'subscript') {
    const p = f.parent;
    const isTarget = (p?.type === 'assignment' || p?.type === 'augmented_assignment') && p.childForFieldName('left')?.id === f.id;
    if (isTarget || p?.type === 'delete_statement') return { kind: 'write' };
    return { kind: 'read', key: m.captures.key };
  }
  const method = m.captures.method.text;
  if (method === 'get') {
    const { positional, keywords } = callArgs(f);
    if (!positional[0] || keywords.size || positional.length > 2) return { kind: 'other' };
    return { kind: 'read', key: positional[0], dflt: positional[1]?.text ?? 'None' };
  }
  return { kind: 'write' };
}

/** What replaces `<app>.config` in FastAPI: the app's state, through the request where the app is not at hand. */
function fastapiConfig(m: RuleMatch, fx: FixBuilder): string | undefined {
  const app = m.captures.app;
  const viaCurrentApp = app.type !== 'identifier' || m.resolve(app) !== 'flask.Flask()' || /current_app$/.test(app.text) || isCurrentApp(m, app);
  if (!viaCurrentApp) return `${app.text}.state.config`;
  const req = fastapiRequest(m, fx, app);
  return req ? `${req}.app.state.config` : undefined;
}

function isCurrentApp(m: RuleMatch, app: Node): boolean {
  const b = m.ctx.bindings;
  const bind = app.type === 'identifier' ? b.lookupNode(app) : undefined;
  return bind?.kind === 'from-import' && bind.importedName === 'current_app';
}

export default defineRule({
  id: 'flask-app-config',
  from: 'flask',
  category: 'config',
  title: 'app.config',
  message: '`app.config` holds the Flask configuration: Django reads `django.conf.settings`; FastAPI has no app config (use pydantic-settings).',
  effortMinutes: 3,
  needles: ['.config'],
  requires: { app: ['flask.Flask()'] },
  when: (m) => m.captures.attr.text === 'config',
  fixes: {
    django: {
      title: 'Read django.conf.settings',
      safe: true,
      apply(m, fx) {
        const use = useOf(m);
        if (use.kind !== 'read') {
          fx.todo(m.captures.finding, 'Django has no app.config: move these settings into settings.py (upper-case module names)');
          return;
        }
        const settings = fx.importFrom('django.conf', 'settings');
        const key = stringValue(use.key);
        if (key !== undefined && isIdentifier(key) && use.dflt === undefined) fx.replace(m.captures.finding, `${settings}.${key}`);
        else fx.replace(m.captures.finding, `getattr(${settings}, ${fx.text(use.key)}${use.dflt !== undefined ? `, ${use.dflt}` : ''})`);
      },
    },
    fastapi: {
      title: 'Read the config dict kept on app.state',
      safe: false,
      apply(m, fx) {
        const use = useOf(m);
        const f = m.captures.finding;
        if (use.kind === 'other') return false;
        if (use.kind === 'write' && f.type === 'call' && m.captures.method.text.startsWith('from_')) {
          fx.todo(
            f,
            `FastAPI has no app.config: load these values into the dict ${m.captures.app.text}.state.config = {...} that the rewritten reads use (the idiomatic port: a pydantic-settings class Settings(BaseSettings), injected with Depends)`,
          );
          return;
        }
        const cfg = fastapiConfig(m, fx);
        if (!cfg) return false;
        // `X.config[...]` / `X.config.get(...)` / `.update(...)` → the same dict operations on app.state.config
        const attrNode = m.captures.attr.parent!;
        fx.replace(attrNode, cfg);
        if (use.kind === 'write') fx.todo(f, `FastAPI has no app.config: this keeps a plain dict in app.state.config; a pydantic-settings Settings class is the idiomatic home for it`);
      },
    },
  },
  docs: {
    summary:
      'Flask `app.config["X"]` / `current_app.config.get("X")` read the app configuration loaded with `from_object()` etc. Django reads `settings.X` (`django.conf.settings`, defined in settings.py); FastAPI has no app config: the fix keeps a plain dict on `app.state.config` (read as `request.app.state.config` in endpoints) and points to pydantic-settings.',
    notes: [
      'Django settings are module constants of settings.py, fixed at startup: writes to `app.config` and `from_object()` become TODOs to move the values there.',
      '`app.config.get("X", d)` becomes `getattr(settings, "X", d)`; a missing key raises AttributeError instead of KeyError.',
      'FastAPI: the idiomatic port is a pydantic-settings `class Settings(BaseSettings)` with typed fields (read from the environment and .env), created once and injected with `Depends(get_settings)`; the automatic fix keeps the dict API working on `app.state.config` meanwhile, which must be filled at startup.',
      'Flask has built-in keys (`SECRET_KEY`, `DEBUG`, `TESTING`, …) with defaults; neither target has them under those names in the same place (Django: `settings.SECRET_KEY`, `settings.DEBUG`).',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/topics/settings/#using-settings-in-python-code',
      'https://fastapi.tiangolo.com/advanced/settings/',
      'https://docs.pydantic.dev/latest/concepts/pydantic_settings/',
      'https://www.starlette.io/applications/#storing-state-on-the-app-instance',
    ],
  },
});
