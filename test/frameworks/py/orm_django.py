"""Real Django 4.2 ORM against examples/flask-blog's models as ported by `fix --to django`.

argv[1]: the ported app's root (holding blog/models.py and blog/extensions.py). Prints a JSON report; raises on a
mismatch (the test shows the traceback).

Glue (kept explicit and minimal): blog/__init__.py is replaced by an empty file (it is the Flask app factory, web
code), so that `blog` is a plain Django app package holding the ported models.py; settings.configure() lists it in
INSTALLED_APPS with an in-memory SQLite database. blog/extensions.py is the ported one (it still builds Flask-Login's
LoginManager and, until `db` is deleted as its TODO says, Flask-SQLAlchemy's SQLAlchemy(): both real packages).
"""
import json
import os
import sys

root = sys.argv[1]
with open(os.path.join(root, "blog", "__init__.py"), "w") as f:
    f.write("")
sys.path.insert(0, root)

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="framework-porter-test",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "blog"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
)
django.setup()

from django.core.management import call_command
from django.db import connection, models as dj

from blog import models

call_command("migrate", run_syncdb=True, verbosity=0)
report = {"django": django.get_version()}
tables = sorted(connection.introspection.table_names())
report["tables"] = [t for t in tables if not t.startswith(("auth_", "django_"))]
assert set(report["tables"]) >= {"user", "posts", "tag", "post_tags"}, tables

User, Post, Tag = models.User, models.Post, models.Tag
f = User._meta.get_field("username")
assert isinstance(f, dj.CharField) and f.max_length == 80 and f.unique and f.db_index and not f.null, f
f = User._meta.get_field("email")
assert isinstance(f, dj.CharField) and f.max_length == 120 and f.null, f
assert isinstance(Post._meta.get_field("body"), dj.TextField)
assert isinstance(Post._meta.get_field("rating"), dj.FloatField)
f = Post._meta.get_field("author")
assert isinstance(f, dj.ForeignKey) and f.related_model is User and f.remote_field.related_name == "posts", f
f = Post._meta.get_field("tags")
assert isinstance(f, dj.ManyToManyField) and f.related_model is Tag and f.remote_field.related_name == "posts", f
assert f.remote_field.through._meta.db_table == "post_tags", f.remote_field.through._meta.db_table
report["fields"] = {m.__name__: [fl.name for fl in m._meta.get_fields()] for m in (User, Post, Tag)}

alice = User(username="alice", email="alice@example.com")
alice.set_password("secret")
alice.save()
python = Tag.get_or_create("Python")  # the ported query code
flask_tips = Tag.get_or_create("Flask Tips")
assert Tag.get_or_create("Python").pk == python.pk, "get_or_create finds the existing tag"
post = Post.objects.create(title="Hello", slug="hello", body="First post", author=alice)
post.tags.add(python, flask_tips)

user = models.load_user(str(alice.pk))  # the ported user_loader's query
assert user is not None and user.username == "alice" and user.is_admin is False and user.joined is not None, user
assert [p.title for p in user.posts.all()] == ["Hello"]
assert sorted(t.name for t in Post.objects.get(slug="hello").tags.all()) == ["Flask Tips", "Python"]
assert [p.slug for p in Tag.objects.get(slug="flask-tips").posts.all()] == ["hello"]
assert Post.objects.filter(author__username="alice", tags__name="Python").count() == 1
try:
    report["post"] = Post.objects.get(slug="hello").to_dict()
    report["to_dict"] = "ok"
except Exception as e:  # noqa: BLE001 — reported, the test decides
    report["to_dict"] = f"{type(e).__name__}: {e}"
print(json.dumps(report, default=str))
