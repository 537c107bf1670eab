// Flask-Login facts and the FastAPI `current_user` dependency the flask-login rules share.
import type { Node } from '../../parsing/python';
import type { FixBuilder } from '../../analysis/fixBuilder';
import type { RuleMatch } from '../../analysis/rule';
import { isFlaskView } from './flask';

export const FL_LOGIN_REQUIRED = 'flask_login.login_required';
export const FL_CURRENT_USER = 'flask_login.current_user';
export const FL_LOGIN_USER = 'flask_login.login_user';
export const FL_LOGOUT_USER = 'flask_login.logout_user';

/** The session key the FastAPI ports of login_user/logout_user/get_current_user agree on. */
export const SESSION_KEY = 'user_id';

/** `get_current_user`: the module's own, or a stub (that answers 401) for a person to finish. */
export function getCurrentUserName(m: RuleMatch, fx: FixBuilder): string {
  if (m.ctx.bindings.module.bindings.has('get_current_user')) return 'get_current_user';
  const Request = fx.importFrom('fastapi', 'Request');
  const HTTPException = fx.importFrom('fastapi', 'HTTPException');
  fx.ensureModuleCode(
    'get_current_user',
    `def get_current_user(request: ${Request}):\n` +
      `    # TODO(port): return the logged-in user, e.g. load request.session.get("${SESSION_KEY}") (stored at login) or decode an OAuth2 token (https://fastapi.tiangolo.com/tutorial/security/) [flask-login-required]\n` +
      `    raise ${HTTPException}(status_code=401)\n`,
  );
  fx.unsafe();
  return 'get_current_user';
}

/** The user type for the `current_user` parameter: the module's `User` when it has one. */
function userType(m: RuleMatch): string {
  return m.ctx.bindings.module.bindings.has('User') ? 'User' : 'object';
}

/**
 * Gives the function around `at` a `current_user: Annotated[User, Depends(get_current_user)]` parameter (FastAPI).
 * Returns the parameter's name, or undefined outside a function.
 */
export function currentUserParam(m: RuleMatch, fx: FixBuilder, fn: Node): string {
  if (fx.paramNames(fn).includes('current_user')) return 'current_user';
  const Annotated = fx.importFrom('typing', 'Annotated');
  const Depends = fx.importFrom('fastapi', 'Depends');
  fx.ensureParam(fn, 'current_user', `current_user: ${Annotated}[${userType(m)}, ${Depends}(${getCurrentUserName(m, fx)})]`);
  if (!isFlaskView(m, fn)) {
    const stmt = fx.statementOf(fn);
    fx.insert(fx.lineStart(stmt.startIndex), `${fx.indentOf(stmt)}# TODO(port): \`${fn.childForFieldName('name')?.text}\` now takes the current user: pass it from the endpoint that calls it [flask-current-user]\n`);
    fx.unsafe();
  }
  return 'current_user';
}
