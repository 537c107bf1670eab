"""JSON API, mounted under /api by create_app()."""
import flask
from flask import Blueprint, current_app, g, jsonify, make_response, request
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import Post, User, slugify

api = Blueprint("api", __name__)


@api.before_request
def check_api_key():
    g.api_key = request.headers.get("X-Api-Key")
    g.authenticated = bool(g.api_key) and g.api_key == current_app.config["API_KEY"]
    if request.method != "GET" and not g.authenticated:
        return jsonify(error="invalid or missing API key"), 401


@api.route("/posts")
def list_posts():
    posts = Post.query.order_by(Post.created.desc()).limit(current_app.config["POSTS_PER_PAGE"]).all()
    return jsonify([post.to_dict() for post in posts])


@api.route("/posts/<int:post_id>")
def get_post(post_id):
    post = Post.query.filter_by(id=post_id).first_or_404()
    return jsonify(post.to_dict())


@api.route("/posts", methods=["POST"])
def create_post():
    data = request.get_json()
    if not data or not data.get("title") or not data.get("author"):
        return jsonify(error="title and author are required"), 400
    author = User.query.filter_by(username=data["author"]).first_or_404()
    post = Post(title=data["title"], body=data.get("body", ""),
                slug=slugify(data["title"]), author_id=author.id)
    db.session.add(post)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(error="a post with this title already exists"), 409
    return jsonify(post.to_dict()), 201


@api.route("/items/<int:item_id>", methods=["PUT", "DELETE"])
def update_item(item_id):
    post = Post.query.get_or_404(item_id)
    if request.method == "DELETE":
        db.session.delete(post)
        db.session.commit()
        return "", 204
    payload = request.json or {}
    post.title = payload.get("title", post.title)
    post.body = payload.get("body", post.body)
    post.rating = float(payload.get("rating", post.rating))
    db.session.commit()
    return jsonify(post.to_dict())


@api.route("/recent")
def recent():
    posts = Post.query.filter(Post.id > 5).limit(3).all()
    return jsonify(total=Post.query.count(), recent=[p.title for p in posts])


@api.route("/files/<path:subpath>")
def file_info(subpath):
    if ".." in subpath.split("/"):
        flask.abort(400)
    return jsonify(path=subpath, parts=subpath.split("/"))


@api.route("/convert/<float:celsius>")
def convert(celsius):
    return jsonify(celsius=celsius, fahrenheit=celsius * 9 / 5 + 32)


@api.route("/settings")
def settings():
    theme = flask.request.cookies.get("theme", "light")
    response = make_response(jsonify(theme=theme, site=current_app.config["SITE_NAME"]))
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie("theme", theme, max_age=60 * 60 * 24 * 30)
    return response
