"""Real SQLAlchemy 2.0 against examples/flask-blog's models as ported by `fix --to fastapi`.

argv[1]: the ported app's root (holding blog/models.py and blog/extensions.py). Prints a JSON report; raises on a
mismatch (the test shows the traceback).

Glue (kept explicit and minimal):
- `blog` is registered as a bare namespace package so that importing blog.models does not run blog/__init__.py
  (the app factory, which is web code, not ORM code);
- DATABASE_URL is set to in-memory SQLite, for the ported extensions.py's create_engine(os.environ["DATABASE_URL"]).
Everything else (flask_login's UserMixin and LoginManager, werkzeug's password hashing) is the real package.
"""
import json
import os
import sys
import types

root = sys.argv[1]
os.environ["DATABASE_URL"] = "sqlite://"
pkg = types.ModuleType("blog")
pkg.__path__ = [os.path.join(root, "blog")]
sys.modules["blog"] = pkg

import sqlalchemy
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, configure_mappers

from blog import extensions, models  # noqa: E402 — after the glue above

report = {"sqlalchemy": sqlalchemy.__version__}
configure_mappers()
Base = models.Base
engine = extensions.engine
Base.metadata.create_all(engine)
report["tables"] = sorted(inspect(engine).get_table_names())
assert set(report["tables"]) >= {"user", "posts", "tag", "post_tags"}, report["tables"]

cols = {c["name"]: c for c in inspect(engine).get_columns("user")}
assert str(cols["username"]["type"]) == "VARCHAR(80)" and cols["username"]["nullable"] is False, cols["username"]
assert cols["email"]["nullable"] is True
cols = {c["name"]: c for c in inspect(engine).get_columns("posts")}
assert cols["body"]["nullable"] is False and str(cols["body"]["type"]) == "TEXT", cols["body"]
fks = inspect(engine).get_foreign_keys("posts")
assert [(f["constrained_columns"], f["referred_table"]) for f in fks] == [(["author_id"], "user")], fks

with Session(engine) as session:
    alice = models.User(username="alice", email="alice@example.com")
    alice.set_password("secret")
    session.add(alice)
    # the ported query code: Tag.get_or_create now takes the session
    tags = [models.Tag.get_or_create("Flask Tips", session), models.Tag.get_or_create("Python", session)]
    post = models.Post(title="Hello", slug="hello", body="First post", author=alice, tags=tags)
    session.add(post)
    session.commit()
    again = models.Tag.get_or_create("Python", session)
    assert again.id == tags[1].id, "get_or_create finds the existing tag"
    assert session.scalar(select(sqlalchemy.func.count()).select_from(models.Tag)) == 2

with Session(engine) as session:
    user = models.load_user("1", session)  # the ported user_loader's query
    assert user is not None and user.username == "alice", user
    assert user.is_admin is False and user.joined is not None, "column defaults applied"
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:")), user.password_hash
    # lazy="dynamic" became write-only: read it the way the TODO says
    posts = session.scalars(user.posts.select()).all()
    assert [p.title for p in posts] == ["Hello"], posts
    post = posts[0]
    d = post.to_dict()
    assert d["author"] == "alice" and sorted(d["tags"]) == ["Flask Tips", "Python"] and d["rating"] == 0.0, d
    # the backref("posts", lazy="dynamic") on Tag still gives a Query
    tag = session.scalars(select(models.Tag).filter_by(slug="flask-tips")).one()
    assert [p.slug for p in tag.posts.all()] == ["hello"]
    report["post"] = d
    report["user_repr"] = repr(user)

print(json.dumps(report, default=str))
