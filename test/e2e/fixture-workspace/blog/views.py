from flask import Blueprint, abort, session
from flask_login import current_user, login_required

bp = Blueprint("blog", __name__)


@bp.route("/profile")
@login_required
def profile():
    if not current_user.is_authenticated:
        abort(403)
    session["seen_profile"] = True
    return {"name": current_user.name}
