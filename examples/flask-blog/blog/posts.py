"""Public blog pages and post management."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .extensions import db
from .models import Post, Tag, slugify

posts_bp = Blueprint("posts", __name__)


@posts_bp.route("/")
def index():
    page = request.args.get("page", 1, type=int)
    pagination = Post.query.order_by(Post.created.desc()).paginate(page=page, per_page=10)
    return render_template("index.html", posts=pagination.items, pagination=pagination)


@posts_bp.route("/search")
def search():
    q = request.args.get("q")
    if not q:
        return redirect(url_for("posts.index"))
    posts = Post.query.filter(Post.title.contains(q)).order_by(Post.created.desc()).all()
    return render_template("index.html", posts=posts, query=q)


@posts_bp.route("/post/<int:post_id>")
def detail(post_id):
    post = Post.query.get_or_404(post_id)
    return render_template("post.html", post=post)


@posts_bp.route("/tag/<slug>")
def by_tag(slug):
    tag = Tag.query.filter_by(slug=slug).first()
    if tag is None:
        abort(404)
    posts = tag.posts.order_by(Post.created.desc()).all()
    return render_template("index.html", posts=posts, tag=tag)


@posts_bp.route("/create", methods=["GET", "POST"])
@login_required
def create():
    if request.method == "POST":
        title = request.form["title"].strip()
        body = request.form["body"]
        if not title:
            flash("Title is required.", "error")
            return render_template("edit_post.html"), 400

        post = Post(title=title, body=body, slug=slugify(title), author_id=current_user.id)
        db.session.add(post)
        for name in request.form.get("tags", "").split(","):
            if name.strip():
                post.tags.append(Tag.get_or_create(name.strip()))
        db.session.commit()
        flash("Post published.", "success")
        return redirect(url_for("posts.detail", post_id=post.id))

    return render_template("edit_post.html")


@posts_bp.route("/post/<int:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id):
    post = Post.query.get_or_404(post_id)
    if post.author_id != current_user.id and not current_user.is_admin:
        abort(403)
    db.session.delete(post)
    db.session.commit()
    flash("Post deleted.")
    return redirect(url_for("posts.index"))
