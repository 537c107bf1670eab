from flask import Blueprint, abort, render_template, session
from flask_login import current_user, login_required

bp = Blueprint("blog", __name__)


@bp.route("/profile")
@login_required
def profile():
    if not current_user.is_authenticated:
        abort(403)
    session["seen_profile"] = True
    return render_template("profile.html", name=current_user.name)
