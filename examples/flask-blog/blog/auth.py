"""Authentication views: register, login, logout."""
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import User

auth = Blueprint("auth", __name__, url_prefix="/auth")


@auth.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "POST":
        username = request.form["username"].strip()
        password = request.form["password"]
        email = request.form.get("email") or None

        if not username or not password:
            flash("Username and password are required.", "error")
        elif User.query.filter_by(username=username).first() is not None:
            flash(f"User {username} is already registered.", "error")
        else:
            user = User(username=username, email=email,
                        password_hash=generate_password_hash(password))
            db.session.add(user)
            db.session.commit()
            flash("Account created, please log in.", "success")
            return redirect(url_for("auth.login"))

    return render_template("register.html")


@auth.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form["username"]
        password = request.form["password"]
        user = User.query.filter_by(username=username).first()

        if user is None or not check_password_hash(user.password_hash, password):
            flash("Invalid username or password.", "error")
            return render_template("login.html"), 401

        login_user(user, remember=request.form.get("remember") == "on")
        session["last_login"] = datetime.utcnow().isoformat()
        flash(f"Welcome back, {user.username}!")
        next_url = request.args.get("next")
        if not next_url or not next_url.startswith("/"):
            next_url = url_for("posts.index")
        return redirect(next_url)

    return render_template("login.html")


@auth.route("/logout")
@login_required
def logout():
    logout_user()
    session.pop("last_login", None)
    flash("You have been logged out.", "info")
    return redirect(url_for("posts.index"))
